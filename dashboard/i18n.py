"""Chinese and English labels, units and tooltips from one message catalogue (``messages.toml``).

Sections of the catalogue and their English fall-backs (the register's own
text, so the two cannot drift apart; Chinese is always given in the file):

* ``[ui]``                interface strings, both languages given;
* ``[preset.<name>]``     label (both), tip (en falls back to the preset's description);
* ``[lever.<key>]``       label (both), tip (en falls back to the lever's summary);
* ``[field."<path>"]``    label (both), tip (en falls back to the register's description);
* ``[outcome.<name>]``    label (both), tip (en falls back to the outcome's definition);
* ``[unit]``              "<unit as in the register>" = {zh = ...} (en is the unit itself); an optional
                          ``zh_value``/``en_value`` writes a value with the unit ("{v} 个月");
* ``[group.<name>]``, ``[org_kind.<name>]``, ``[ctype.<name>]`` (community types),
  ``[profile.<name>]`` (the shipped street profiles)  labels (both).

A Chinese entry missing at run time falls back to English rather than fail;
``tests/dashboard/test_catalogue.py`` makes sure none is missing.
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).with_name("messages.toml")
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


@cache
def catalogue() -> dict[str, Any]:
    """The parsed message catalogue."""
    with CATALOGUE.open("rb") as f:
        return tomllib.load(f)


def initial_lang() -> str:
    """The page's first language: ``DASHBOARD_LANG`` if it is one we have, else Chinese."""
    lang = os.environ.get("DASHBOARD_LANG", DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def _pick(entry: Any, lang: str, fallback_en: str | None = None) -> str | None:
    if isinstance(entry, dict):
        if lang in entry:
            return str(entry[lang])
        if "en" in entry:
            return str(entry["en"])
    return fallback_en


def ui(key: str, lang: str, **fmt: Any) -> str:
    """An interface string, formatted with ``fmt``."""
    text = _pick(catalogue()["ui"].get(key), lang)
    if text is None:
        raise KeyError(f"no message ui.{key}")
    return text.format(**fmt) if fmt else text


def _entry(section: str, key: str) -> dict[str, Any]:
    return catalogue().get(section, {}).get(key, {})


def label(section: str, key: str, lang: str, fallback_en: str | None = None) -> str:
    """``label`` of ``[section.key]`` (falls back to English, then to ``fallback_en`` or the key)."""
    return _pick(_entry(section, key).get("label"), lang, fallback_en) or key


def tip(section: str, key: str, lang: str, fallback_en: str) -> str:
    """``tip`` of ``[section.key]``; English falls back to ``fallback_en`` (the register's text)."""
    entry = _entry(section, key).get("tip", {})
    if lang != "en" and isinstance(entry, dict) and lang in entry:
        return str(entry[lang])
    if isinstance(entry, dict) and "en" in entry:
        return str(entry["en"])
    return fallback_en


def unit(text: str, lang: str) -> str:
    """A unit string as the register spells it, in ``lang``."""
    if lang == "en":
        return text
    entry = catalogue().get("unit", {}).get(text)
    return _pick(entry, lang, text) or text


def with_unit(value: str, unit_text: str, lang: str) -> str:
    """A value written with its unit as people read it: the unit's ``<lang>_value`` form from the
    catalogue when it has one (e.g. "{v} 个月", "登记满 {v} 个月"), else the value, a space and the unit."""
    entry = catalogue().get("unit", {}).get(unit_text)
    form = entry.get(f"{lang}_value") if isinstance(entry, dict) else None
    if form is not None:
        return form.replace("{v}", value)
    return f"{value} {unit(unit_text, lang)}"


def share_with_unit(percent: str, unit_text: str, lang: str) -> str:
    """A share already written in % with what it is a share of: '50%（占房租）', '50% of rent'."""
    if unit_text == "share":
        return percent
    if lang == "en":
        return f"{percent} {unit_text.removeprefix('share ')}"
    return f"{percent}（{unit(unit_text, lang)}）"


class Message(str):
    """A problem message in English that carries its catalogue key and values, so the page can
    show it in any language (it stays a plain string for ``ScenarioError``)."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, **params: Any) -> "Message":
        obj = super().__new__(cls, ui(key, "en", **params))
        obj.key, obj.params = key, params
        return obj


# the scenario validation's English messages (model/inputs.py, pydantic) the page words in the catalogue
_VALIDATION = (
    (re.compile(r"^Input should be less than or equal to (?P<limit>\S+)$"), "err_le"),
    (re.compile(r"^Input should be greater than or equal to (?P<limit>\S+)$"), "err_ge"),
    (re.compile(r"^Input should be less than (?P<limit>\S+)$"), "err_lt"),
    (re.compile(r"^Input should be greater than (?P<limit>\S+)$"), "err_gt"),
    (re.compile(r"^Input should be a valid integer"), "err_int"),
    (re.compile(r"^Input should be a valid (number|boolean)"), "err_number"),
    (re.compile(r"^must be a finite number, got (?P<got>.+)$"), "err_finite"),
    (re.compile(r"^unknown key"), "err_unknown"),
    (re.compile(r"^required key missing"), "err_missing"),
)
_GOT = re.compile(r"^(?P<body>.*?)(?: \(got (?P<got>.*)\))?$", re.S)


def problem_text(msg: str, lang: str) -> str:
    """A validation problem in ``lang``: a ``Message`` from the catalogue (a ``Message`` among its values
    in ``lang`` too); a message of the scenario
    validation worded from the catalogue when it is a known kind, else (not in English) a general one."""
    if isinstance(msg, Message):
        return ui(msg.key, lang, **{k: problem_text(v, lang) if isinstance(v, Message) else v
                                    for k, v in msg.params.items()})
    if lang == "en":
        return msg
    m = _GOT.match(msg)
    body, got = m.group("body"), m.group("got")
    for pattern, key in _VALIDATION:
        found = pattern.match(body)
        if found:
            values = {"limit": "", "got": got or "", **found.groupdict()}
            text = ui(key, lang, limit=values["limit"])
            return text + (ui("err_got", lang, got=values["got"]) if values["got"] else "")
    return ui("err_other", lang)


# -- convenience for the model's own vocabularies ------------------------------------
def outcome_label(name: str, lang: str) -> str:
    """Short label of a declared outcome."""
    return label("outcome", name, lang, name)


def outcome_tip(name: str, lang: str) -> str:
    """Definition of a declared outcome (English: the one in ``model/outcomes.py``)."""
    from model.outcomes import OUTCOMES

    definition = next(o.definition for o in OUTCOMES if o.name == name)
    return tip("outcome", name, lang, definition)


def outcome_unit(name: str, lang: str) -> str:
    """Unit of a declared outcome, in ``lang``."""
    from model.outcomes import OUTCOMES

    return unit(next(o.unit for o in OUTCOMES if o.name == name), lang)


def lever_label(key: str, lang: str) -> str:
    """Name of a policy lever."""
    return label("lever", key, lang, key)


def lever_tip(key: str, lang: str) -> str:
    """What a lever does, with the year it came in Shanghai."""
    from model.policies import LEVERS

    cls = LEVERS[key]
    text = tip("lever", key, lang, cls.summary)
    return f"{text} ({cls.year})"


def field_label(path: str, lang: str) -> str:
    """Short label of a control (lever parameter or world size)."""
    return label("field", path, lang, path.rsplit(".", 1)[-1])


def field_tip(path: str, lang: str, doc: str) -> str:
    """Tooltip of a control; English falls back to the register's description ``doc``."""
    return tip("field", path, lang, doc)


def source(text: str, lang: str) -> str:
    """A register source ("source article", "assumption", a study) in ``lang``."""
    if lang == "en":
        return text
    return _pick(catalogue().get("source", {}).get(text), lang, text) or text


def preset_label(name: str, lang: str) -> str:
    """Name of a preset."""
    return label("preset", name, lang, name)


def preset_tip(name: str, lang: str) -> str:
    """Description of a preset (English: the preset file's own)."""
    from model import load_scenario

    return tip("preset", name, lang, load_scenario(name).scenario.description)


def group_label(name: str, lang: str) -> str:
    """Name of a resident group."""
    return label("group", name, lang, name)


def org_kind_label(name: str, lang: str) -> str:
    """Name of a kind of social organization."""
    return label("org_kind", name, lang, name)


def ctype_label(name: str, lang: str) -> str:
    """Name of a community type."""
    return label("ctype", name, lang, name)


def profile_label(name: str, lang: str) -> str:
    """Name of a shipped street profile; the empty name is the generic street."""
    return label("profile", name, lang, name) if name else ui("profile_generic", lang)
