"""Shared helpers of the dashboard's in-process tests (no browser): a session stepped to a month,
and a widget class that keeps the custom messages it would send to the browser."""

from __future__ import annotations

from dashboard.controls import settings_from_preset
from dashboard.session import Session


def stepped_session(preset: str, months: int = 0, b: str | None = None) -> Session:
    """A session built from ``preset`` (and compare mode's B from preset ``b``), stepped ``months`` times."""
    s = Session()
    s.build(settings_from_preset(preset), settings_from_preset(b) if b else None)
    for _ in range(months):
        s.step()
    return s


def recording(widget_cls: type) -> type:
    """``widget_cls`` with its outgoing custom messages kept in ``sent`` instead of sent."""

    class Recorder(widget_cls):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.sent: list[dict] = []

        def send(self, content, buffers=None):
            self.sent.append(content)

    Recorder.__name__ = Recorder.__qualname__ = f"Recording{widget_cls.__name__}"
    return Recorder
