"""The sidebar's inputs, generated from the parameter register: a slider or switch per control
(``ControlInput``, with its label, unit and tooltip) and the levers' panels (``LeverPanels``).

Values are written as people read them (``format_control``: '50%（占房租）', '6 个月',
'1,500,000 元'); the seed box's text is read by ``parse_seed``.
"""

from __future__ import annotations

import math
import re

import solara

from . import i18n
from .controls import Control, Settings, lever_controls
from .views import Line


def _bound(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step))) if step < 1 else 0


PERCENT_UNITS = ("per month while registering",)  # rates shown in %, like every "share ..." unit


def format_control(ctl: Control, value: float, lang: str) -> str:
    """A control's value written as people read it: '50%（占房租）', '6 个月', '1,500,000 元'."""
    if ctl.unit.startswith("share") or ctl.unit in PERCENT_UNITS:
        pct = f"{100 * float(value):.{_decimals(100 * ctl.step)}f}%"
        if ctl.unit in PERCENT_UNITS:
            return i18n.with_unit(pct, ctl.unit, lang)
        return i18n.share_with_unit(pct, ctl.unit, lang)
    if ctl.kind == "int":
        text = f"{int(value):,}"
    else:
        text = f"{float(value):,.{_decimals(ctl.step)}f}"
    return i18n.with_unit(text, ctl.unit, lang)


def parse_seed(text: str) -> int | str:
    """The seed typed in the box: an int when it is a whole number, else the text (Reset reports it)."""
    text = text.strip().replace(",", "")
    return int(text) if re.fullmatch(r"-?\d+", text) else text


@solara.component
def ControlInput(ctl: Control, value: float, on_value, lang: str, disabled: bool = False):
    """A slider or switch generated from a register entry, with label, unit and tooltip."""
    label = i18n.field_label(ctl.path, lang)
    tip = i18n.field_tip(ctl.path, lang, ctl.doc)
    if ctl.source:
        tip += " " + i18n.ui("tip_source", lang, source=i18n.source(ctl.source, lang),
                             lo=_bound(ctl.valid_lo), hi=_bound(ctl.valid_hi))
    with solara.Column(classes=["dash-control"], gap="0px"):
        if ctl.kind == "switch":
            with solara.Tooltip(tip):
                solara.Switch(label=label, value=bool(value), disabled=disabled,
                              on_value=lambda v: on_value(1.0 if v else 0.0))
            return
        with solara.Tooltip(tip):
            Line(f"{label}: {format_control(ctl, value, lang)}", ["dash-control-label"])
        if ctl.kind == "int":
            solara.SliderInt("", value=int(value), min=int(ctl.lo), max=int(ctl.hi), step=int(ctl.step),
                             on_value=on_value, disabled=disabled)
        else:
            solara.SliderFloat("", value=float(value), min=ctl.lo, max=ctl.hi, step=ctl.step,
                               on_value=on_value, disabled=disabled)


@solara.component
def LeverPanels(settings: solara.Reactive[Settings], lang: str):
    """One expansion panel per lever: an on/off switch and its parameter sliders, made only while the
    panel is open (about 300 sliders in all: every widget of the page costs each render pass)."""
    opened = solara.use_reactive([])  # the indices of the open panels

    def set_value(path, v):
        s = settings.value.copy()
        s.values[path] = v
        settings.set(s)

    def set_enabled(key, on):
        s = settings.value.copy()
        s.enabled[key] = bool(on)
        settings.set(s)

    with solara.v.ExpansionPanels(accordion=True, multiple=True, v_model=opened.value,
                                  on_v_model=lambda v: opened.set(list(v or []))):
        for i, (key, ctls) in enumerate(lever_controls().items()):
            on = settings.value.enabled.get(key, False)
            with solara.v.ExpansionPanel(class_="dash-lever"):
                with solara.v.ExpansionPanelHeader():
                    with solara.Tooltip(i18n.lever_tip(key, lang)):
                        solara.Text(("● " if on else "○ ") + i18n.lever_label(key, lang))
                with solara.v.ExpansionPanelContent():
                    if i not in opened.value:
                        continue
                    solara.Switch(label=i18n.ui("lever_on", lang), value=on,
                                  on_value=lambda v, key=key: set_enabled(key, v), classes=["dash-lever-switch"])
                    for ctl in ctls:
                        ControlInput(ctl, settings.value.values.get(ctl.path, ctl.default),
                                     lambda v, p=ctl.path: set_value(p, v), lang, disabled=not on)
