"""The rule catalogue (model/tools/rule_catalogue.py): it lists every function of model/ whose
docstring begins with "Rule:" (checked against an independent ast scan of the sources),
each entry resolves to a real callable, every parameter it names is in the register,
docs/rules.md is what the generator writes, and a rule in a module the agent map does
not name is an error."""

from __future__ import annotations

import ast
import importlib
import inspect
import importlib.util
import json
import re
import subprocess
import sys

import pytest

from conftest import PYTHON, ROOT, RUN_PY
from model import register_rows
from model.tools import rule_catalogue as rc

RULE_DOC = re.compile(r"^Rule(\s*\([^)]*\))?:")


@pytest.fixture(scope="module")
def rules() -> list[rc.Rule]:
    return rc.catalogue()


def _ast_rules() -> dict[str, str]:
    """``module:qualname`` -> module short name, for every function in model/ (any depth)
    whose docstring begins with "Rule:", read from the source files without importing them."""
    found: dict[str, str] = {}

    def walk(body: list[ast.stmt], module: str, prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node) or ""
                if RULE_DOC.match(doc):
                    found[f"{module}:{prefix}{node.name}"] = module
                walk(node.body, module, f"{prefix}{node.name}.<locals>.")
            elif isinstance(node, ast.ClassDef):
                walk(node.body, module, f"{prefix}{node.name}.")

    for path in sorted((ROOT / "model").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        walk(ast.parse(path.read_text(encoding="utf-8")).body, module, "")
    return found


def _register_fields() -> set[str]:
    """``section.field`` of every register row (a nested field counts as its top field)."""
    return {".".join(r["path"].split(".")[1:3]) for r in register_rows()}


def test_the_model_has_rules(rules):
    assert len(rules) >= 20
    assert {"Committee", "StreetOffice", "Funder"} <= {r.agent for r in rules}


def test_every_listed_rule_resolves_to_a_rule_callable(rules):
    for r in rules:
        obj = rc.resolve(r.where)
        assert callable(obj), r.where
        assert rc.is_rule_doc(getattr(obj, "__doc__", None)), f"{r.where}: docstring does not begin with 'Rule:'"
        assert r.decision and r.does and not r.does.startswith("Rule"), r


def test_every_rule_docstring_in_model_is_listed(rules):
    scanned = set(_ast_rules())
    listed = {r.where for r in rules}
    assert scanned, "the ast scan found no rule: the scan is broken"
    assert not scanned - listed, f"rules missing from the catalogue: {sorted(scanned - listed)}"
    assert not listed - scanned, f"listed but not a Rule: docstring in model/: {sorted(listed - scanned)}"


def test_every_listed_parameter_is_in_the_register(rules):
    fields = _register_fields()
    for r in rules:
        unknown = set(r.reads + r.named) - fields
        assert not unknown, f"{r.where} lists parameters not in the register: {sorted(unknown)}"
    assert any(r.reads for r in rules)


def test_agent_map_covers_every_module_with_rules(rules):
    by_where = {r.where: r for r in rules}
    for where, module in _ast_rules().items():
        assert module.removeprefix("model.") in rc.AGENTS, f"{where}: add its module to AGENTS"
        qualname = where.split(":")[1]
        agent = qualname.split(".")[0] if "." in qualname else rc.AGENTS[module.removeprefix("model.")]
        assert by_where[where].agent == agent, where


def test_docs_rules_md_is_up_to_date(rules):
    path = ROOT / "docs" / "rules.md"
    assert path.exists(), "docs/rules.md is missing: run `python run.py rules --markdown`"
    assert path.read_text(encoding="utf-8") == rc.markdown(rules), (
        "docs/rules.md is out of date: run `python run.py rules --markdown`")
    assert "python run.py rules --markdown" in rc.markdown(rules).splitlines()[2]


# ---------------------------------------------------------------------------
# a fake module of the model package
# ---------------------------------------------------------------------------
FAKE = '''
from model.params import Committees as ComParams


def _helper(m):
    """Not a rule: the rule calling it reads what it reads."""
    return m.p.funders.lottery_month


def other_rule(m):
    """Rule: another rule; a rule calling it does not take its parameters."""
    return m.p.funders.lottery_budget_yuan


def decide_something(m, p, q: ComParams):
    """Rule: reads through every kind of name. A second sentence naming hire_reserve_months
    and ``exam_month``, and staff (a plain word, not a field)."""
    po = m.p.organizations
    pw = m.p.streets  # a usual name bound to another section
    other_rule(m)
    return (po.founding_rate, pw.platform, pc.staff, m.p.residents.lapse_rate, p.quality_base,
            q.training_rate, p.no_such_field, m.staff, _helper(m))


class Thing:
    def decide_more(self, pr):
        """Rule (a note): a method; its agent is its class.

        Reads through a method of its class."""
        return self.inner(pr)

    def inner(self, pr):
        return pr.trust_step
'''


@pytest.fixture
def fake(tmp_path, monkeypatch):
    path = tmp_path / "fake_rules.py"
    path.write_text(FAKE)
    spec = importlib.util.spec_from_file_location("model.fake_rules", path)
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "model.fake_rules", mod)
    spec.loader.exec_module(mod)
    return mod


def test_a_rule_in_a_module_missing_from_the_agent_map_is_an_error(fake):
    with pytest.raises(rc.UnknownModule, match="fake_rules"):
        rc.rules_in(fake)
    with pytest.raises(rc.UnknownModule):
        rc.catalogue([fake])


def test_fake_module_rules_and_their_parameters(fake):
    found = {r.where: r for r in rc.rules_in(fake, {**rc.AGENTS, "fake_rules": "Tester"})}
    assert sorted(found) == ["model.fake_rules:Thing.decide_more", "model.fake_rules:decide_something",
                             "model.fake_rules:other_rule"]
    r = found["model.fake_rules:decide_something"]
    assert (r.agent, r.decision) == ("Tester", "something")
    assert r.does == "reads through every kind of name."
    assert r.reads == ("committees.quality_base", "committees.staff", "committees.training_rate",
                       "funders.lottery_month", "organizations.founding_rate", "organizations.quality_base",
                       "residents.lapse_rate", "streets.platform")
    assert r.named == ("organizations.hire_reserve_months", "social_workers.exam_month")
    m = found["model.fake_rules:Thing.decide_more"]
    assert (m.agent, m.decision, m.does) == ("Thing", "more", "a note: a method; its agent is its class.")
    assert m.reads == ("residents.trust_step",)
    assert found["model.fake_rules:other_rule"].reads == ("funders.lottery_budget_yuan",)


def test_decision_phrase_and_first_sentence():
    assert rc.decision_phrase("decide_new_partner") == "new partner"
    assert rc.decision_phrase("_decide_staffing") == "staffing"
    assert rc.decision_phrase("fill_vacancies") == "fill vacancies"
    doc = """Rule: pay 0.5 yuan (e.g. a fee). Then more.

    Details."""
    assert rc.first_sentence(doc) == "pay 0.5 yuan (e.g. a fee)."
    assert rc.first_sentence("Rule: no full stop\n    at all\n\n    rest") == "no full stop at all"
    assert not rc.is_rule_doc("The rule: not one.")
    assert not rc.is_rule_doc(None)
    assert rc.is_rule_doc("\n    Rule: indented first line.")


# ---------------------------------------------------------------------------
# the command line and the import cost
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run_main():
    spec = importlib.util.spec_from_file_location("run_cli_rules", RUN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


def test_cli_rules_table_json_and_markdown(run_main, rules, capsys, tmp_path, monkeypatch):
    assert run_main(["rules"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(rules)} rules")
    assert all(r.where in out for r in rules)
    assert run_main(["rules", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [d["where"] for d in listed] == [r.where for r in rules]
    target = tmp_path / "docs" / "rules.md"
    monkeypatch.setattr(rc, "doc_path", lambda: target)
    assert run_main(["rules", "--markdown"]) == 0
    assert str(target) in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == rc.markdown(rules)
    assert not list(target.parent.glob(".rules.md.*")), "the temporary file was left behind"


def test_importing_model_does_not_import_the_catalogue():
    code = "import sys, model; print('model.tools.rule_catalogue' in sys.modules)"
    res = subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"



def _odd_submodel_names() -> list[str]:
    """Dotted names in backquotes in the headings of the ODD's submodels (section 7)."""
    names = []
    for line in (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8").splitlines():
        if re.match(r"^#{3,4} 7\.\d", line):
            names += [n for n in re.findall(r"`([A-Za-z_][\w.]*)`", line) if "." in n and not n.endswith(".py")]
    return names


def _resolve_dotted(name: str):
    """``module.function`` of the model package or ``Class.method`` of a class defined in it."""
    head, attr = name.rsplit(".", 1)
    try:
        return getattr(importlib.import_module(f"model.{head}"), attr)
    except ModuleNotFoundError:
        pass
    for module in rc.model_modules():
        cls = getattr(module, head, None)
        if isinstance(cls, type) and cls.__module__ == module.__name__:
            return getattr(cls, attr)
    raise LookupError(name)


def test_every_function_the_odd_submodels_name_is_real_and_every_decision_is_listed(rules):
    names = _odd_submodel_names()
    assert len(names) > 40, "the ODD's submodel headings name the functions that implement them"
    listed = {r.where for r in rules}
    missing = []
    for name in names:
        fn = _resolve_dotted(name)  # raises for a name that is no function of the model
        assert callable(fn), name
        plain = inspect.unwrap(getattr(fn, "py_func", fn))
        where = f"{plain.__module__}:{plain.__qualname__}"
        if plain.__name__.startswith("decide_") and where not in listed:
            missing.append(name)
    assert not missing, f"decisions named in the ODD but not in the rule catalogue (no 'Rule:' docstring): {missing}"
