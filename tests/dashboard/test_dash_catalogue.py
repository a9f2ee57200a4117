"""The message catalogue: every label, unit and tooltip the dashboard shows exists in Chinese and English."""

from __future__ import annotations

import re

import pytest

from dashboard import i18n
from dashboard.controls import all_controls, lever_controls, street_profiles
from model import OUTCOMES, preset_names
from model.params import COMMUNITY_TYPES, GROUPS, ORG_KINDS
from model.policies import LEVERS

CAT = i18n.catalogue()
HAN = re.compile(r"[\u4e00-\u9fff]")


def _has_zh(text: str) -> bool:
    return bool(HAN.search(text))


def test_every_interface_string_has_chinese_and_english():
    missing = [k for k, v in CAT["ui"].items() if not (isinstance(v, dict) and v.get("zh") and v.get("en"))]
    assert not missing, f"ui keys without zh and en: {missing}"
    not_chinese = [k for k, v in CAT["ui"].items() if not _has_zh(v["zh"])]
    assert not not_chinese, f"ui keys whose zh text has no Chinese: {not_chinese}"


def test_format_fields_match_between_languages():
    for key, v in CAT["ui"].items():
        fields = {lang: set(re.findall(r"{(\w+)}", v[lang])) for lang in ("zh", "en")}
        assert fields["zh"] == fields["en"], f"ui.{key}: placeholders differ {fields}"


@pytest.mark.parametrize("section,keys", [
    ("lever", list(LEVERS)),
    ("field", list(all_controls())),
    ("outcome", [o.name for o in OUTCOMES]),
    ("preset", preset_names()),
    ("group", list(GROUPS)),
    ("org_kind", list(ORG_KINDS)),
    ("ctype", list(COMMUNITY_TYPES)),
    ("profile", list(street_profiles())),
])
def test_every_label_has_chinese_and_english(section, keys):
    entries = CAT[section]
    problems = []
    for key in keys:
        label = entries.get(key, {}).get("label", {})
        if not label.get("en"):
            problems.append(f"{key}: no en label")
        if not _has_zh(label.get("zh", "")):
            problems.append(f"{key}: no zh label")
    assert not problems, f"[{section}] " + "; ".join(problems)


@pytest.mark.parametrize("section,keys", [
    ("lever", list(LEVERS)),
    ("field", list(all_controls())),
    ("outcome", [o.name for o in OUTCOMES]),
    ("preset", preset_names()),
])
def test_every_tooltip_has_chinese_and_an_english_source(section, keys):
    """Chinese tips are in the catalogue; English ones fall back to the register's own text."""
    controls = all_controls()
    for key in keys:
        assert _has_zh(CAT[section].get(key, {}).get("tip", {}).get("zh", "")), f"[{section}.{key}] no zh tip"
        if section == "field":
            en = i18n.field_tip(key, "en", controls[key].doc)
        elif section == "lever":
            en = i18n.lever_tip(key, "en")
        elif section == "outcome":
            en = i18n.outcome_tip(key, "en")
        else:
            en = i18n.preset_tip(key, "en")
        # English text may quote a Chinese term in brackets, e.g. "Self-governance funds (自治金)"
        assert en and not _has_zh(re.sub(r"\([^)]*\)", "", en)), f"[{section}.{key}] en tip: {en!r}"


def test_every_unit_shown_has_chinese():
    units = {c.unit for c in all_controls().values()} | {o.unit for o in OUTCOMES}
    missing = sorted(u for u in units if not _has_zh(CAT["unit"].get(u, {}).get("zh", "")))
    assert not missing, f"units without a Chinese form: {missing}"


def test_every_source_shown_has_chinese():
    sources = {c.source for c in all_controls().values() if c.source}
    missing = sorted(s for s in sources if not _has_zh(CAT["source"].get(s, {}).get("zh", "")))
    assert not missing, f"sources without a Chinese form: {missing}"


def test_catalogue_has_no_stale_entries():
    """Every key names something that exists, so a renamed parameter cannot leave a dead label behind."""
    assert set(CAT["field"]) <= set(all_controls()), set(CAT["field"]) - set(all_controls())
    assert set(CAT["lever"]) <= set(LEVERS)
    assert set(CAT["outcome"]) <= {o.name for o in OUTCOMES}
    assert set(CAT["preset"]) <= set(preset_names())


def test_lookups_switch_language():
    path = lever_controls()["self_governance_funds"][0].path
    assert i18n.field_label(path, "zh") == "每个居委会自治金"
    assert i18n.field_label(path, "en") == "Fund per committee"
    assert i18n.unit("yuan per committee-year", "zh") == "元/居委会·年"
    assert i18n.unit("yuan per committee-year", "en") == "yuan per committee-year"
    assert i18n.ui("month", "zh", month=3, months=120) == "第 3 个月 / 共 120 个月"
    assert i18n.ui("month", "en", month=3, months=120) == "Month 3 of 120"
