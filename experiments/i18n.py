"""Words of figures and reports in English and Chinese, and how numbers are put in words.

Outcome labels fall back to the outcome's name for outcomes added later, so
nothing breaks when the model declares a new one.
"""

from __future__ import annotations

import math

from model.outcomes import OUTCOMES


class FontError(Exception):
    """No CJK font for Chinese figures (raised by :func:`experiments.fonts.require_cjk_font`; defined
    here so that the command line can catch it without importing matplotlib)."""


LANGS = ("en", "zh")

OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "needs_arising": ("new needs per month", "每月新增需求"),
    "needs_met": ("needs met per month", "每月满足的需求"),
    "needs_lapsed": ("needs lapsed per month", "每月未满足而失效的需求"),
    "needs_met_share": ("share of needs met", "需求满足率"),
    "needs_met_weighted": ("severity-weighted needs met per month", "每月满足的需求（按严重程度加权）"),
    "needs_lapsed_weighted": ("severity-weighted needs lapsed per month", "每月失效的需求（按严重程度加权）"),
    "needs_met_weighted_share": ("severity-weighted share of needs met", "按严重程度加权的需求满足率"),
    "backlog": ("open needs (backlog)", "待满足需求（积压）"),
    "mean_wait_months": ("mean wait (months)", "平均等待（月）"),
    "needs_met_by_certified_share": ("share met by certified social workers", "持证社工服务占比"),
    "satisfaction": ("residents' satisfaction", "居民满意度"),
    "trust_in_committee": ("trust in the residents' committee", "对居委会的信任"),
    "participation_rate": ("residents taking part", "居民参与率"),
    "volunteer_rate": ("residents volunteering", "志愿者比例"),
    "election_turnout": ("election turnout", "选举投票率"),
    "committee_service_time_share": ("committee time on services", "居委会用于服务的时间占比"),
    "needs_met_by_committees_share": ("needs met by committees (share)", "居委会满足的需求占比"),
    "needs_met_by_organizations_share": ("needs met by organizations (share)", "社会组织满足的需求占比"),
    "needs_met_by_projects_share": ("needs met by micro-projects (share)", "微项目满足的需求占比"),
    "needs_met_by_volunteers_share": ("needs met by building-head volunteers (share)", "楼组志愿者满足的需求占比"),
    "micro_projects": ("residents' micro-projects", "居民自治微项目"),
    "organizations_registered": ("registered organizations", "登记的社会组织"),
    "organizations_registering": ("organizations registering", "登记中的社会组织"),
    "organizations_active": ("active organizations", "活跃的社会组织"),
    "organization_foundings": ("organizations founded per month", "每月新登记社会组织"),
    "organization_failures": ("organizations failed per month", "每月倒闭的社会组织"),
    "contracts": ("purchase-of-services contracts", "政府购买服务合同"),
    "government_income_share": ("government share of organizations' income", "社会组织收入中政府资金占比"),
    "sector_government_income_share": ("government share of the whole sector's income", "全市社会组织收入中政府资金占比"),
    "organization_failures_money": ("organizations failed for lack of money per month", "每月因资金耗尽倒闭的组织"),
    "organization_failures_inspection": ("organizations deregistered at inspection per month", "每月年检注销的组织"),
    "organization_failures_founders": ("organizations dissolved by founders per month", "每月发起人解散的组织"),
    "organization_reserve_months_median": ("median reserves, months of costs", "组织储备中位数（月）"),
    "orgs_with_certified_share": ("organizations with a certified social worker", "雇有持证社工的社会组织占比"),
    "social_workers": ("social workers employed", "在岗社工"),
    "social_workers_in_organizations": ("social workers in organizations", "社会组织中的社工"),
    "certified_share": ("certified share of social workers", "社工持证率"),
    "social_worker_attrition": ("social-worker attrition (per year)", "社工年流失率"),
    "public_spending_yuan": ("public spending (yuan per month)", "公共支出（元/月）"),
    "public_spending_12m_yuan": ("public spending (yuan per month, 12-month mean)", "公共支出（元/月，近12个月均值）"),
    "public_staff_yuan": ("public staff cost (yuan per month)", "公职人员支出（元/月）"),
    "admin_hours_moved": ("administrative hours moved off committees (per month)", "居委会转出的行政事务工时（月）"),
    "admin_hours_dropped": ("administrative hours dropped (per month)", "取消的行政事务工时（月）"),
    "social_money_yuan": ("social money (yuan per month)", "社会资金（元/月）"),
    "spending_per_need_met_yuan": ("public yuan per need met", "每满足一项需求的公共支出（元）"),
    "equity_gap_groups": ("gap between resident groups", "人群间差距"),
    "equity_gap_groups_weighted": ("gap between resident groups, severity-weighted", "人群间差距（按严重程度加权）"),
    "equity_gap_committees": ("gap between committees", "居委会间差距"),
    "service_centre_coverage": ("service-centre coverage", "社会组织服务中心覆盖率"),
    "incubator_coverage": ("incubator coverage", "孵化基地覆盖率"),
    "community_foundations": ("community foundations", "社区基金会"),
    "needs_referred_share": ("share met on a committee's referral", "经居委会转介由社会组织满足的占比"),
    "committees_with_partner_share": ("committees tied to an organization", "与社会组织有合作的居委会占比"),
    "orgs_with_social_worker_per_10k": ("organizations with a social worker per 10,000 residents", "每万居民中雇有社工的社会组织数"),
    "tri_party_ties_per_10k": ("tri-party ties per 10,000 residents", "每万居民三社联动服务关系数"),
}

GROUP_LABELS: dict[str, tuple[str, str]] = {
    "elderly": ("older people", "老年人"),
    "children_teens": ("children and teens", "儿童青少年"),
    "women_at_home": ("women at home", "居家妇女"),
    "migrants": ("migrants and migrant wives", "外来人口（含外来媳妇）"),
    "drug_rehabilitation": ("drug users in recovery", "社区戒毒康复人员"),
    "community_correction": ("people under community correction", "社区矫正对象"),
    "social_assistance": ("social-assistance recipients", "社会救助对象"),
    "disabilities": ("people with disabilities", "残疾人"),
    "others": ("other residents", "其他居民"),
}

UNITS = {o.name: o.unit for o in OUTCOMES}

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Experiment report: {name}", "实验报告：{name}"),
    "question": ("Question", "研究问题"),
    "design": ("Design", "实验设计"),
    "design_text": (
        "Each arm was simulated for {months} months, {reps} times (replications). Replication r of every arm "
        "uses the same random seed (common random numbers), so arms differ only where their policies differ. "
        "Each outcome is a run's mean over its last {window} months (months {first}-{months}), so a value "
        "does not hang on one month's noise or on a yearly cycle.",
        "每个方案模拟 {months} 个月，重复 {reps} 次。各方案的第 r 次重复使用相同的随机种子（共同随机数），"
        "因此方案之间的差异只来自政策本身。各结果取每次模拟最后 {window} 个月（第 {first}–{months} 个月）的平均值，"
        "不受单月波动或年度周期的影响。"),
    "burn_in_text": (
        "Before those months each run had a burn-in of {burn_in} months, not reported anywhere: the arm's "
        "world and parameters with no policy lever on yet (arms that differ only in their policies have "
        "identical burn-ins, with the same seeds), so that every arm starts its policies from a settled state "
        "(needs waiting, organizations and staff grown) rather than from the empty start of the model. Month 1 of the tables and figures is the first month "
        "with the arm's policies; all {months} reported months follow the burn-in.",
        "在这些月份之前，每次模拟先运行 {burn_in} 个月的预热期（不计入任何结果）：使用该方案的社区和参数，但尚未启用任何政策"
        "（仅政策不同的方案预热期完全相同，随机种子也相同），使所有方案都从稳定状态（已有待办需求、已成长的组织和人员）开始实施政策，"
        "而不是从模型的空白起点开始。表格和图中的第 1 个月是启用该方案政策的第一个月；报告的 {months} 个月均在预热期之后。"),
    "world": ("World: {streets} street(s) x {committees} committees x {residents:,} residents per committee.",
              "模拟范围：{streets} 个街道 × {committees} 个居委会 × 每个居委会 {residents:,} 名居民。"),
    "sweep_text": ("Sweep: {design} design, {points} design points, each run on every arm; factors: {factors}.",
                   "参数扫描：{design} 设计，{points} 个设计点，每个方案都运行；因素：{factors}。"),
    "draws_text": ("Parameter uncertainty: every arm ran at the same {draws} draws ({design}) of {k} uncertain "
                   "parameters from their declared ranges and distributions (docs/experiments.md), each draw with "
                   "the same {reps} seeds: {runs} runs per arm. Draw d is the same parameter set in every arm, "
                   "except for entries an arm sets itself.",
                   "参数不确定性：每个方案都在相同的 {draws} 组参数抽样（{design}）下运行，抽样覆盖 {k} 个不确定参数，"
                   "按其声明的范围和分布抽取（见 docs/experiments.md）；每组参数使用相同的 {reps} 个随机种子，"
                   "每个方案共 {runs} 次运行。第 d 组参数在所有方案中相同，方案自身设定的参数除外。"),
    "posterior_text": ("Parameter uncertainty from a posterior: every arm ran at the same {draws} draws, each with "
                       "the same {reps} seeds: {runs} runs per arm. The {k} parameters the posterior `{given}` "
                       "estimated ({names}) come from its particles, drawn by weight (systematic resampling): "
                       "{distinct} distinct particles of {particles}. {rest} Draw d is the same parameter set in "
                       "every arm, except for entries an arm sets itself; posterior_used.json records the draws.",
                       "来自后验分布的参数不确定性：每个方案都在相同的 {draws} 组参数抽样下运行，每组使用相同的 {reps} "
                       "个随机种子，每个方案共 {runs} 次运行。后验 `{given}` 估计的 {k} 个参数（{names}）取自其粒子，"
                       "按权重抽取（系统重抽样）：共抽到 {particles} 个粒子中的 {distinct} 个。{rest}第 d 组参数在所有方案中"
                       "相同，方案自身设定的参数除外；posterior_used.json 记录了各组抽样。"),
    "posterior_rest_ranges": ("The other {r} uncertain parameters were drawn ({design}) from their declared ranges: "
                              "the posterior says nothing about them, so their uncertainty stays in the intervals.",
                              "其余 {r} 个不确定参数按其声明的范围抽取（{design}）：后验对它们没有信息，"
                              "因此它们的不确定性仍计入区间。"),
    "posterior_rest_default": ("The other uncertain parameters stay at their register defaults (rest = \"default\"), "
                               "as the calibration held them.",
                               "其余不确定参数保持参数登记表中的默认值（rest = \"default\"），与校准时一致。"),
    "posterior_kept": ("{arm} keeps its own {names} (set by the arm or its scenario), not the posterior's.",
                       "{arm}保留自身设定的 {names}（由方案或其情景设定），不取后验值。"),
    "prov_posterior": ("posterior", "后验分布"),
    "prov_posterior_value": ("`{folder}`: posterior.csv SHA-256 `{sha}`; seed {seed}, setting {setting}, created "
                             "{created}, commit `{commit}`; {draws} draws, {distinct} distinct particles of "
                             "{particles}; rest: {rest}",
                             "`{folder}`：posterior.csv SHA-256 `{sha}`；种子 {seed}，设置 {setting}，生成于 {created}，"
                             "提交 `{commit}`；抽样 {draws} 组，不同粒子 {distinct} 个（共 {particles} 个）；其余参数：{rest}"),
    "uncertainty": ("What holds under parameter uncertainty", "参数不确定性下哪些结论成立"),
    "uncertainty_intro": (
        "Each statement below counts parameter draws: a draw's effect is the mean over its replications of the "
        "paired difference. \"Higher in x% of draws\" is the share of draws whose effect is above zero (whether "
        "higher is better depends on the outcome). The range \"95% of draws\" is the 2.5th to 97.5th "
        "percentile of the draw-level effects (what we do not know); \"seed noise\" is the 95% interval the "
        "seeds alone leave on the mean effect. ρ is Spearman's rank correlation over draws between a "
        "parameter and the effect; a parameter is named only when its |ρ| exceeds what the largest of the "
        "correlations would reach by chance one time in 20 if no parameter mattered (rho_chance in "
        "uncertainty.csv): with few draws and many parameters, smaller correlations are not evidence.",
        "以下每句都以参数抽样为单位计数：每组参数的效果是其各次重复配对差值的平均。\"x% 的抽样中更高\"指效果大于零的抽样"
        "所占比例（更高是否更好取决于指标）。\"95% 的抽样\"区间为各组参数效果的第 2.5 至 97.5 百分位（反映我们不知道的部分）；"
        "\"随机噪声\"为仅由随机种子造成的平均效果的 95% 区间。ρ 为参数与效果在各组抽样间的 Spearman 秩相关系数；"
        "只有当 |ρ| 超过\"没有任何参数起作用时最大相关系数偶然达到的水平\"（20 次中 1 次；见 uncertainty.csv 的 "
        "rho_chance）时才列出该参数：抽样少而参数多时，较小的相关不构成证据。"),
    "unc_sentence": ("**{arm}**: {outcome} {dir} than {ref} in {p} of parameter draws (mean effect {eff}; "
                     "95% of draws between {lo} and {hi}; seed noise {slo} to {shi}){dep}.",
                     "**{arm}**的{outcome}在 {p} 的参数抽样中{dir}{ref}（平均效果 {eff}；95% 的抽样在 {lo} 至 {hi} "
                     "之间；随机噪声 {slo} 至 {shi}）{dep}。"),
    "unc_higher": ("higher", "高于"),
    "unc_lower": ("lower", "低于"),
    "unc_depends": ("; the effect depends mostly on {params}", "；其效果主要取决于 {params}"),
    "unc_no_param": ("; no parameter stands out from chance (|ρ| below {rho})",
                     "；没有参数的影响超出偶然范围（|ρ| 低于 {rho}）"),
    "unc_same": ("**{arm}** has the same {outcome} as {ref} in every draw.",
                 "**{arm}**的{outcome}在每组抽样中都与{ref}相同。"),
    "unc_ranking": ("On {outcome}, the most common ranking of the arms (highest first) is {ranking}: it holds in "
                    "{p} of parameter draws. First place: {firsts}.",
                    "在{outcome}上，最常见的方案排序（从高到低）为 {ranking}，在 {p} 的参数抽样中成立。排名第一："
                    "{firsts}。"),
    "unc_first": ("{arm} in {p}", "{arm} {p}"),
    "unc_pairs": ("Pairs of arms on {outcome}", "{outcome}上的方案两两比较"),
    "unc_higher_col": ("share of draws higher", "更高的抽样占比"),
    "unc_draws_col": ("95% of draws", "95% 的抽样"),
    "unc_seed_col": ("seed noise", "随机噪声"),
    "unc_depends_col": ("depends most on", "主要取决于"),
    "compared_with": ("compared with", "比较对象"),
    "arms": ("Arms compared", "比较的方案"),
    "arm": ("arm", "方案"),
    "scenario": ("scenario", "情景"),
    "changes": ("changes", "调整"),
    "what": ("what it is", "说明"),
    "reference_note": ("Reference arm: {ref}. Every effect below is an arm minus the reference.",
                       "参照方案：{ref}。下文所有效果均为该方案减去参照方案。"),
    "headline": ("Headline effects", "主要结果"),
    "raised": ("raised", "提高了"),
    "lowered": ("lowered", "降低了"),
    "unclear": ("did not clearly change", "没有明显改变"),
    "effect_sentence": ("Compared with {ref}, **{arm}** {verb} {outcome} by {size} (95% CI {lo} to {hi}; "
                        "from {refv} to {armv}){p}.",
                        "与{ref}相比，**{arm}**{verb}{outcome} {size}（95% 置信区间 {lo} 至 {hi}；由 {refv} 到 "
                        "{armv}）{p}。"),
    "unclear_sentence": ("Compared with {ref}, **{arm}** did not clearly change {outcome} "
                         "(difference {size}, 95% CI {lo} to {hi}){p}.",
                         "与{ref}相比，**{arm}**对{outcome}没有明显影响（差值 {size}，95% 置信区间 {lo} 至 {hi}）{p}。"),
    "same_sentence": ("Compared with {ref}, **{arm}** left {outcome} unchanged in every replication.",
                      "与{ref}相比，**{arm}**在每次重复中都未改变{outcome}。"),
    "p_holm": ("; Holm-adjusted p {p}", "；Holm 校正后 p {p}"),
    "cost": ("Cost-effectiveness", "成本效益"),
    "cost_sentence": ("**{arm}** spent {yuan} more public yuan over the {months} months and met {needs} more needs: "
                      "{ratio} yuan per extra need met{ci}.",
                      "**{arm}** 在 {months} 个月内多支出公共资金 {yuan} 元，多满足需求 {needs} 项："
                      "每多满足一项需求花费 {ratio} 元{ci}。"),
    "cost_ci": (" (95% CI {lo} to {hi})", "（95% 置信区间 {lo} 至 {hi}）"),
    "cost_note_sentence": ("**{arm}**: {note}.", "**{arm}**：{note}。"),
    "by_type": ("By community type", "按社区类型"),
    "by_type_intro": ("Share of needs met (severity-weighted in brackets) over the last 12 months of the runs, "
                      "by the community type of the residents' committee (mean over replications; "
                      "needs_by_type.csv has the intervals).",
                      "各方案按居民所在社区类型的需求满足率（括号内为按严重程度加权），运行最后 12 个月，"
                      "重复均值（区间见 needs_by_type.csv）。"),
    "gap_between": ("Gap between types", "类型间差异"),
    "gap_org": ("Within types: organizations", "类型内：社会组织"),
    "gap_chance": ("Chance", "随机"),
    "by_type_gap": ("*Gap between types* is the share of the variance of committees' shares of needs met "
                    "(last 12 months) that lies between community types; *within types: organizations* is the "
                    "share of the variance within types that goes with how many organization services reach "
                    "the committee (where organizations are based, partner and hold contracts); *chance* is "
                    "the share that chance alone would give, committees closing only so many needs (near 1: "
                    "the simulated committees are too small to tell apart). Means over replications.",
                    "*类型间差异*：各居委会需求满足率（最后 12 个月）的方差中，社区类型之间所占的份额；"
                    "*类型内：社会组织*：类型内方差中与到达该居委会的社会组织服务数量（组织所在地、结对与合同）"
                    "相关的份额；*随机*：仅因各居委会结案需求数量有限而随机产生的份额（接近 1 表示模拟的居委会"
                    "太小，无法区分）。重复均值。"),
    "gains": ("Who gains", "谁受益"),
    "gains_intro": ("Change in each resident group's share of needs met against {ref} (the outcome window, "
                    "mean over replications): the groups that gain most and least.",
                    "与{ref}相比各人群需求满足率的变化（统计窗口，重复均值）：受益最多与最少的人群。"),
    "gains_sentence": ("**{arm}**: most for {top} ({top_d}), least for {low} ({low_d}); all residents {all_d}.",
                       "**{arm}**：{top}受益最多（{top_d}），{low}最少（{low_d}）；全体居民 {all_d}。"),
    "severity": ("Light and heavy needs", "轻重需求"),
    "severity_intro": (
        "Each need counts by the severity weight of its kind (by default a culture or sport need = 1; elder care, "
        "social assistance and rehabilitation weigh 4 to 5; residents.severity in the register). An arm that meets "
        "more needs mostly by serving light ones raises the share of needs met far more than the "
        "severity-weighted share: it is flagged when needs met rise clearly but the weighted share does not "
        "rise clearly, or rises less than half as much.",
        "每项需求按其类别的严重程度权重计算（默认文体需求 = 1；养老、社会救助、康复为 4 至 5；见参数表 "
        "residents.severity）。如果一个方案多满足的主要是轻度需求，需求满足率的提高会远大于加权满足率的提高："
        "当满足的需求数明显增加、而加权满足率没有明显提高或提高不到一半时，予以标出。"),
    "severity_sentence": ("**{arm}**: share of needs met {d_share}, severity-weighted share {d_w}.",
                          "**{arm}**：需求满足率 {d_share}，加权满足率 {d_w}。"),
    "severity_light": (" It raised needs met by {d_met} a month, mostly by serving light needs while heavy ones "
                       "wait.",
                       "它每月多满足 {d_met} 项需求，但主要满足的是轻度需求，较重的需求仍在等待。"),
    "figures": ("Figures", "图表"),
    "fig_time": ("Outcomes over time (mean and 95% band per arm)", "各方案结果随时间的变化（均值与 95% 区间）"),
    "fig_forest": ("Effects against the reference (95% CI)", "相对参照方案的效果（95% 置信区间）"),
    "fig_frontier": ("Extra public cost against extra needs met over the whole run", "全期额外公共支出与额外满足需求"),
    "fig_groups": ("Share of needs met by resident group (last 12 months)", "各人群需求满足率（最后 12 个月）"),
    "fig_sensitivity": ("Sensitivity of the outcomes to the swept factors", "结果对各因素的敏感性"),
    "fig_attribution": ("Share of each lever in the arm's effect (Shapley values)", "各政策杠杆对效果的贡献（Shapley 值）"),
    "all_effects": ("All effects", "全部效果"),
    "outcome": ("outcome", "结果指标"),
    "effect": ("effect", "效果"),
    "p_adj": ("Holm p", "Holm p"),
    "sensitivity": ("Sensitivity", "敏感性分析"),
    "sensitivity_sentence": ("For {outcome} ({arm}), the most influential factor is {factor} "
                             "({index} = {value}, 95% CI {lo} to {hi}).",
                             "对于{outcome}（{arm}），影响最大的因素是 {factor}（{index} = {value}，"
                             "95% 置信区间 {lo} 至 {hi}）。"),
    "effect_of": ("effect of {arm} against the reference", "{arm}相对参照方案的效果"),
    "attribution": ("Which lever carries the effect", "效果来自哪些政策杠杆"),
    "attribution_sentence": ("Of the effect of **{arm}** on {outcome} ({total}), {lever} carries {value} "
                             "({share} of it; 95% CI {lo} to {hi}).",
                             "在**{arm}**对{outcome}的效果（{total}）中，{lever}贡献 {value}（占 {share}；"
                             "95% 置信区间 {lo} 至 {hi}）。"),
    "failures": ("Failed runs", "失败的运行"),
    "failures_text": ("{n} run(s) failed; they are listed in failures.csv with their seeds and tracebacks in "
                      "failures/. Effects use the replications where both arms finished. Run again with --resume "
                      "to retry only them.",
                      "{n} 次运行失败，见 failures.csv，种子和错误信息在 failures/ 中。效果只使用两方案均完成的重复。"
                      "使用 --resume 重新运行可只重试这些运行。"),
    "howto": ("How to read this", "如何阅读"),
    "howto_text": (
        "An effect is the mean over replications of the difference between an arm and the reference run with the "
        "same seed (paired, common random numbers). The 95% confidence interval (CI) is t-based; p-values are "
        "from a paired t-test and adjusted for the number of comparisons with Holm's method. An interval that "
        "excludes zero with an adjusted p below 0.05 is called a clear change. These are model results: they show "
        "what follows from the model's assumptions (docs/ODD.md), not measured outcomes.",
        "效果是各次重复中该方案与使用相同随机种子的参照方案之差的平均值（配对、共同随机数）。95% 置信区间基于 t 分布；"
        "p 值来自配对 t 检验，并用 Holm 方法对多重比较进行校正。区间不含零且校正后 p 小于 0.05 时称为明显变化。"
        "这些是模型结果：反映模型假设（见 docs/ODD.md）的推论，而非实测数据。"),
    "provenance": ("Appendix: provenance", "附录：来源信息"),
    "prov_file": ("experiment file", "实验文件"),
    "prov_sha": ("experiment file SHA-256", "实验文件 SHA-256"),
    "prov_seed": ("experiment seed", "实验种子"),
    "prov_seeds": ("replication seeds", "各次重复的种子"),
    "prov_seed_rule": ("replication r uses SeedSequence({seed}, spawn_key=(r,))", "第 r 次重复使用 SeedSequence({seed}, spawn_key=(r,))"),
    "prov_runs": ("runs", "运行次数"),
    "prov_runs_value": ("{done} finished, {failed} failed, {executed} executed in this invocation",
                        "完成 {done} 次，失败 {failed} 次，本次执行 {executed} 次"),
    "prov_executor": ("executor", "执行方式"),
    "prov_git": ("git commit", "git 提交"),
    "prov_versions": ("versions", "软件版本"),
    "prov_time": ("run time of this invocation", "本次运行用时"),
    "prov_generated": ("report written", "报告生成时间"),
    "prov_reps_auto": ("replications chosen automatically: {reps} ({reason})", "自动确定的重复次数：{reps}（{reason}）"),
    "auto_reached": ("every effect's 95% half-width on {outcome} is at most {target}",
                     "各方案对{outcome}效果的 95% 半宽均不超过 {target}"),
    "auto_max": ("stopped at the maximum; widest half-width on {outcome} {hw}",
                 "达到上限后停止；{outcome}最宽的半宽为 {hw}"),
    "seconds": ("{s:.1f} s", "{s:.1f} 秒"),
    "mean": ("mean", "均值"),
    "reference": ("reference", "参照"),
    "month": ("month", "月"),
    "extra_yuan": ("extra public yuan over the run", "全期额外公共支出（元）"),
    "extra_needs": ("extra needs met over the run", "全期额外满足的需求"),
    "frontier": ("frontier", "有效前沿"),
    "share_met": ("share of needs met", "需求满足率"),
    "summary_table": ("End-of-run values (mean and 95% CI)", "期末数值（均值与 95% 置信区间）"),
    "files": ("Files", "文件"),
    "files_text": ("Tables: summary.csv, effects.csv, cost_effectiveness.csv, needs_by_group.csv{extra}; "
                   "runs: runs/*.parquet with manifest.csv.",
                   "数据表：summary.csv、effects.csv、cost_effectiveness.csv、needs_by_group.csv{extra}；"
                   "各次运行：runs/*.parquet 及 manifest.csv。"),
}


NOTES_ZH = {
    "no paired runs": "没有配对的运行",
    "dominated: costs no less and meets no more needs than the reference": "劣势方案：花费不少于参照方案，满足的需求却不多于参照方案",
    "dominant: meets more needs at no extra public cost": "优势方案：不增加公共支出而满足更多需求",
    "extra needs met not clearly above zero: the ratio's interval is unbounded": "额外满足的需求不明显大于零：比值的区间无界",
}


def note(text: str, lang: str) -> str:
    """A cost-effectiveness note (written in English in the CSV) in the report's language."""
    return NOTES_ZH.get(text, text) if lang == "zh" else text


def t(key: str, lang: str, **kwargs: object) -> str:
    """A text in the language, formatted."""
    en, zh = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**kwargs) if kwargs else text


def outcome_label(name: str, lang: str) -> str:
    pair = OUTCOME_LABELS.get(name)
    if pair is None:
        return name.replace("_", " ")
    return pair[1] if lang == "zh" else pair[0]


TYPE_LABELS: dict[str, tuple[str, str]] = {
    "generic": ("city average (no type)", "全市平均（未分类型）"),
    "old_lane": ("old lane housing", "老式里弄"),
    "work_unit_estate": ("work-unit and public housing estates", "售后公房/工人新村"),
    "commodity_estate": ("commodity housing estates", "商品房小区"),
    "resettlement_estate": ("resettlement estates", "动迁安置房"),
    "village": ("village committees", "村委会"),
}


def type_label(name: str, lang: str) -> str:
    """A community type's name as residents and officials say it."""
    pair = TYPE_LABELS.get(name, (name.replace("_", " "), name))
    return pair[1] if lang == "zh" else pair[0]


def group_label(name: str, lang: str) -> str:
    pair = GROUP_LABELS.get(name, (name.replace("_", " "), name))
    return pair[1] if lang == "zh" else pair[0]


def is_share(outcome: str) -> bool:
    return UNITS.get(outcome, "") == "share"


def fmt_value(outcome: str, v: float, lang: str = "en") -> str:
    """A level of an outcome: shares in %, yuan with separators, others with 3 significant digits."""
    if v is None or not math.isfinite(v):
        return "–"
    unit = UNITS.get(outcome, "")
    if unit == "share":
        return f"{100 * v:.1f}%"
    if "yuan" in unit:
        return f"{v:,.0f}"
    if unit.endswith("0-1"):
        return f"{v:.3f}"
    return _sig(v)


def fmt_diff(outcome: str, v: float, lang: str = "en") -> str:
    """A difference of an outcome: shares in percentage points."""
    if v is None or not math.isfinite(v):
        return "–"
    unit = UNITS.get(outcome, "")
    if unit == "share":
        pp = " 个百分点" if lang == "zh" else " percentage points"
        return f"{100 * v:+.1f}{pp}"
    if "yuan" in unit:
        return f"{v:+,.0f} " + ("元" if lang == "zh" else "yuan")
    return ("+" if v > 0 else "") + _sig(v)


def fmt_size(outcome: str, v: float, lang: str = "en") -> str:
    """The size of a change (no sign)."""
    return fmt_diff(outcome, abs(v), lang).lstrip("+")


def fmt_ci(outcome: str, v: float, lang: str = "en") -> str:
    if v is None or not math.isfinite(v):
        return "–"
    unit = UNITS.get(outcome, "")
    if unit == "share":
        return f"{100 * v:+.1f}"
    if "yuan" in unit:
        return f"{v:+,.0f}"
    return ("+" if v > 0 else "") + _sig(v)


def fmt_p(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"= {p:.3f}"


def _sig(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def fmt_num(v: float) -> str:
    if v is None or not math.isfinite(v):
        return "–"
    return _sig(v)
