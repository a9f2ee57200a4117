"""The catalogue of the model's behavioural rules, found in the code itself.

A rule is a function or method of a module of the ``model`` package whose
docstring begins with ``Rule:`` (or ``Rule (a note):``). The catalogue imports
every module of the package, lists those functions with the agent they belong
to, the decision they take, where they live (``module:qualname``), the register
parameters they read and the first sentence of their docstring.

    python run.py rules               a table, grouped by agent
    python run.py rules --markdown    write docs/rules.md
    python run.py rules --json        the catalogue as JSON

Layout: ``AGENTS`` (module -> agent, the one map of it); ``Rule``; discovery
(``model_modules``, ``rules_in``, ``catalogue``); parameters read (``register_fields``,
``_Reads``, ``parameters_read``, ``parameters_named``); output (``text_table``,
``markdown``, ``as_json``, ``write_markdown``).

Parameters read: the rule's source (and that of the helpers it calls in the
model package that are not rules themselves) is parsed with ``ast`` for
attributes of a register section: ``m.p.organizations.x``; ``po.x`` where
``po`` is assigned a section (``po = m.p.organizations``) or annotated with a
section class (``p: ComParams``), or is one of the usual names ``po``, ``pw``,
``pc``, ``ps``, ``pf``, ``pr``; and ``p.x`` when ``x`` names a field of the
register. A name found in several sections is listed under each.

Not imported by ``model/__init__.py``: importing ``model`` stays as quick.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
import sys
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from ..output import atomic_write_text
from ..params import Parameters

AGENTS: dict[str, str] = {
    "organizations": "Organization",
    "accounts": "Organization",
    "org_finance": "Organization",
    "sector": "RestOfSector",
    "contracts": "Contract",
    "workers": "SocialWorker",
    "committees": "Committee",
    "streets": "StreetOffice",
    "street_costs": "StreetOffice",
    "guidance": "StreetOffice",
    "funders": "Funder",
    "residents": "Residents",
    "kernels": "Residents",
    "serving": "Matching",
    "services": "Matching",
    "neighbourhoods": "Committee",
    "ageing": "Residents",
    "profile": "StreetOffice",
}
"""The agent each module is about (module name relative to ``model``): the agent of
its module-level rules (a method's agent is its class). A rule in a module missing
here is an error (``UnknownModule``): ``month`` (the order of the month) and
``community`` (the world and its services) are left out on purpose, so no rule can
live there."""

SECTION_ALIASES = {"po": "organizations", "pw": "social_workers", "pc": "committees", "ps": "streets",
                   "pf": "funders", "pr": "residents", "sec": "sector"}
"""The usual local names of register sections, used when a function does not bind them itself."""

RULE_PREFIX = re.compile(r"^Rule(?:\s*\(([^)]*)\))?:\s*")
GENERATED_BY = "python run.py rules --markdown"


class UnknownModule(LookupError):
    """A rule in a module that ``AGENTS`` does not name."""


@dataclass(frozen=True)
class Rule:
    """One behavioural rule."""

    agent: str
    decision: str
    where: str  # module:qualname
    reads: tuple[str, ...]  # section.field read in the source (or its helpers)
    named: tuple[str, ...]  # section.field named in the docstring only
    does: str  # the docstring's first sentence after "Rule:"
    line: int


# ---------------------------------------------------------------------------
# discovery
# ---------------------------------------------------------------------------
def is_rule_doc(doc: str | None) -> bool:
    """True for a docstring that begins with ``Rule:`` or ``Rule (a note):``."""
    return bool(doc) and RULE_PREFIX.match(inspect.cleandoc(doc)) is not None


def model_modules() -> list[ModuleType]:
    """Every module of the ``model`` package, subpackages included, imported, sorted by name."""
    pkg = importlib.import_module("model")
    names = [info.name for info in pkgutil.walk_packages(pkg.__path__, prefix="model.")]
    return [importlib.import_module(name) for name in sorted(names)]


def _plain(obj: Any) -> Callable | None:
    """The Python function behind ``obj`` (a function, static/class method, numba dispatcher), or None."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    obj = getattr(obj, "py_func", obj)
    obj = inspect.unwrap(obj) if callable(obj) else obj
    return obj if inspect.isfunction(obj) else None


def _functions(module: ModuleType) -> list[tuple[type | None, Callable]]:
    """(class or None, function) for the functions and methods defined in ``module``."""
    out: list[tuple[type | None, Callable]] = []
    for obj in vars(module).values():
        if inspect.isclass(obj) and obj.__module__ == module.__name__:
            out += [(obj, f) for f in map(_plain, vars(obj).values()) if f is not None]
        else:
            f = _plain(obj)
            if f is not None and f.__module__ == module.__name__:
                out.append((None, f))
    return out


def short_name(module: ModuleType) -> str:
    """The module's name relative to the ``model`` package (``organizations``, ``tools.x``)."""
    return module.__name__.removeprefix("model.")


def decision_phrase(name: str) -> str:
    """``decide_new_partner`` -> ``new partner``; ``_decide_staffing`` -> ``staffing``."""
    return name.lstrip("_").removeprefix("decide_").replace("_", " ")


def first_sentence(doc: str) -> str:
    """The first sentence of the docstring's first paragraph, after ``Rule:``."""
    text = inspect.cleandoc(doc)
    m = RULE_PREFIX.match(text)
    note, text = (m.group(1), text[m.end():]) if m else (None, text)
    para = " ".join(text.split("\n\n")[0].split())
    found = re.match(r"(.+?[.!?])(?=\s+[A-Z(`]|$)", para)
    sentence = found.group(1) if found else para
    return f"{note}: {sentence}" if note else sentence


def rules_in(module: ModuleType, agents: dict[str, str] = AGENTS) -> list[Rule]:
    """The rules defined in ``module``, in source order."""
    fields = register_fields()
    found = []
    for cls, fn in _functions(module):
        if not is_rule_doc(fn.__doc__):
            continue
        if short_name(module) not in agents:
            raise UnknownModule(f"{module.__name__}:{fn.__qualname__} is a rule, but {short_name(module)!r} "
                                "is not in model.tools.rule_catalogue.AGENTS: add the agent the module is about")
        reads = parameters_read(fn, fields)
        named = tuple(sorted(set(parameters_named(fn.__doc__, fields, reads)) - set(reads)))
        found.append(Rule(agent=cls.__name__ if cls is not None else agents[short_name(module)],
                          decision=decision_phrase(fn.__name__), where=f"{module.__name__}:{fn.__qualname__}",
                          reads=reads, named=named, does=first_sentence(fn.__doc__),
                          line=fn.__code__.co_firstlineno))
    return sorted(found, key=lambda r: r.line)


def catalogue(modules: list[ModuleType] | None = None, agents: dict[str, str] = AGENTS) -> list[Rule]:
    """Every rule of the model, grouped by agent (agents in alphabetical order), then by module and line."""
    rules = [r for mod in (model_modules() if modules is None else modules) for r in rules_in(mod, agents)]
    return sorted(rules, key=lambda r: (r.agent, r.where.split(":")[0], r.line))


def resolve(where: str) -> Any:
    """The object named by ``module:qualname``."""
    module, _, qualname = where.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


# ---------------------------------------------------------------------------
# parameters read
# ---------------------------------------------------------------------------
def register_fields() -> dict[str, set[str]]:
    """Field names of each register section: ``{"streets": {"platform", ...}, ...}``."""
    return {name: set(f.annotation.model_fields) for name, f in Parameters.model_fields.items()}


def _section_classes() -> dict[type, str]:
    """Each register section class -> its section name."""
    return {f.annotation: name for name, f in Parameters.model_fields.items()}


def _annotated_sections(fn: Callable) -> dict[str, str]:
    """Arguments annotated with a register section class: ``{"p": "committees"}``."""
    classes = _section_classes()
    out = {}
    for arg, ann in getattr(fn, "__annotations__", {}).items():
        cls = fn.__globals__.get(ann) if isinstance(ann, str) else ann
        if cls in classes:
            out[arg] = classes[cls]
    return out


class _Reads(ast.NodeVisitor):
    """Collects ``section.field`` reads and the names of helper calls in one function body."""

    def __init__(self, fields: dict[str, set[str]], bound: dict[str, str]):
        self.fields, self.bound = fields, dict(bound)
        self.reads: set[str] = set()
        self.calls: set[tuple[str, str]] = set()  # ("self", name), ("", name) or ("method", name)

    def visit_Assign(self, node: ast.Assign) -> None:
        v = node.value
        if isinstance(v, ast.Attribute) and v.attr in self.fields:
            for t in node.targets:
                if isinstance(t, ast.Name):
                    self.bound[t.id] = v.attr
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if isinstance(f, ast.Name):
            self.calls.add(("", f.id))
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "self":
            self.calls.add(("self", f.attr))
        elif isinstance(f, ast.Attribute) and any(self._is_section(a) for a in node.args):
            self.calls.add(("method", f.attr))  # another object's method handed a register section
        self.generic_visit(node)

    def _is_section(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.bound or node.id in SECTION_ALIASES
        return isinstance(node, ast.Attribute) and node.attr in self.fields

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base, name = node.value, node.attr
        if isinstance(base, ast.Attribute) and base.attr in self.fields and name in self.fields[base.attr]:
            self.reads.add(f"{base.attr}.{name}")
        elif isinstance(base, ast.Name):
            section = self.bound.get(base.id) or SECTION_ALIASES.get(base.id)
            if section is not None and name in self.fields[section]:
                self.reads.add(f"{section}.{name}")
            elif section is None and base.id == "p":
                self.reads.update(f"{s}.{name}" for s, names in self.fields.items() if name in names)
        self.generic_visit(node)


def _direct_reads(fn: Callable, fields: dict[str, set[str]]) -> _Reads:
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    visitor = _Reads(fields, _annotated_sections(fn))
    # assignments bind names before their reads are visited: a first pass binds them all
    visitor.visit(tree)
    visitor.reads.clear()
    visitor.calls.clear()
    visitor.visit(tree)
    return visitor


def _owner(fn: Callable) -> type | None:
    """The class a method is defined in (None for a module-level function)."""
    head, dot, _ = fn.__qualname__.partition(".")
    owner = getattr(sys.modules.get(fn.__module__), head, None) if dot else None
    return owner if inspect.isclass(owner) else None


def _helper(call: tuple[str, str], fn: Callable) -> Callable | None:
    """The model function a call in ``fn`` names (``self.x``, a module-level name, or another
    object's method handed a register section when one class of the model has it), if it is no rule."""
    kind, name = call
    if kind == "self":
        cls = _owner(fn)
        obj = inspect.getattr_static(cls, name, None) if cls is not None else None
    elif kind == "method":
        found = _model_methods().get(name, [])
        obj = found[0] if len(found) == 1 else None
    else:
        obj = fn.__globals__.get(name)
    f = _plain(obj)
    if f is None or not _in_model(f.__module__) or is_rule_doc(f.__doc__):
        return None
    return f


def _in_model(module_name: str) -> bool:
    return module_name == "model" or module_name.startswith("model.")


def _model_methods() -> dict[str, list[Callable]]:
    """Methods of the classes of the imported model modules, by name."""
    out: dict[str, list[Callable]] = {}
    for name, mod in list(sys.modules.items()):
        if _in_model(name):
            for cls, f in _functions(mod):
                if cls is not None:
                    out.setdefault(f.__name__, []).append(f)
    return out


def parameters_read(fn: Callable, fields: dict[str, set[str]]) -> tuple[str, ...]:
    """The register parameters ``fn`` reads, directly or through helpers of the model it calls."""
    seen, todo, reads = {fn}, [fn], set()
    while todo:
        f = todo.pop()
        v = _direct_reads(f, fields)
        reads |= v.reads
        for call in sorted(v.calls):
            h = _helper(call, f)
            if h is not None and h not in seen:
                seen.add(h)
                todo.append(h)
    return tuple(sorted(reads))


def parameters_named(doc: str | None, fields: dict[str, set[str]], reads: tuple[str, ...] = ()) -> list[str]:
    """Register fields the docstring names (identifiers with an underscore, ``section.field`` or in
    double backticks). A name in several sections is given under the sections ``reads`` uses, else all."""
    text = doc or ""
    out = set()
    for sec, name in re.findall(r"\b([a-z_]+)\.([a-z_0-9]+)\b", text):
        if sec in fields and name in fields[sec]:
            out.add(f"{sec}.{name}")
    words = set(re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]*\b", text)) | set(re.findall(r"``([a-z_0-9]+)``", text))
    used = {r.split(".")[0] for r in reads}
    for w in sorted(words):
        sections = [s for s, names in fields.items() if w in names]
        preferred = [s for s in sections if s in used] or sections
        out.update(f"{s}.{w}" for s in preferred)
    return sorted(out)


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------
def _by_agent(rules: list[Rule]) -> dict[str, list[Rule]]:
    groups: dict[str, list[Rule]] = {}
    for r in rules:
        groups.setdefault(r.agent, []).append(r)
    return groups


def text_table(rules: list[Rule]) -> str:
    """A readable table, grouped by agent."""
    lines = [f"{len(rules)} rules"]
    for agent, group in _by_agent(rules).items():
        lines += ["", agent]
        for r in group:
            lines.append(f"  {r.decision:<28s} {r.where}")
            lines += ["      " + s for s in textwrap.wrap(r.does, 94)]
            if r.reads:
                lines += textwrap.wrap("reads: " + ", ".join(r.reads), 100, initial_indent="      ",
                                       subsequent_indent="        ")
            if r.named:
                lines += textwrap.wrap("named in its docstring: " + ", ".join(r.named), 100,
                                       initial_indent="      ", subsequent_indent="        ")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(rules: list[Rule]) -> str:
    """docs/rules.md: one table per agent."""
    lines = ["# The model's behavioural rules", "",
             f"<!-- generated by `{GENERATED_BY}` from the code; do not edit -->", "",
             f"Generated by `{GENERATED_BY}` from the docstrings that begin with `Rule:` in `model/` "
             "(`model/tools/rule_catalogue.py`). *Parameters* are the register fields the rule's code reads "
             "(directly or through the helpers it calls); those in italics are only named in its docstring.",
             "", f"{len(rules)} rules."]
    for agent, group in _by_agent(rules).items():
        lines += ["", f"## {agent}", "", "| decision | what it does | rule | parameters |", "|---|---|---|---|"]
        for r in group:
            params = [f"`{x}`" for x in r.reads] + [f"*`{x}`*" for x in r.named]
            lines.append(f"| {_cell(r.decision)} | {_cell(r.does)} | `{r.where}` | {', '.join(params)} |")
    return "\n".join(lines) + "\n"


def as_json(rules: list[Rule]) -> str:
    """The catalogue as a JSON list."""
    return json.dumps([{k: v for k, v in asdict(r).items() if k != "line"} for r in rules], indent=1,
                      ensure_ascii=False)


def doc_path() -> Path:
    """docs/rules.md of the repository that holds the ``model`` package."""
    return Path(importlib.import_module("model").__file__).resolve().parent.parent / "docs" / "rules.md"


def write_markdown(rules: list[Rule], path: Path | None = None) -> Path:
    """Write the Markdown catalogue atomically (a temporary file moved into place)."""
    path = doc_path() if path is None else path
    atomic_write_text(path, markdown(rules))
    return path
