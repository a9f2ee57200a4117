"""The page's state in the URL: the sidebar's setting, the language, compare mode with setting B, the month.

:func:`use_url_sync` keeps the address bar's query string on what the page
shows, in the form of :func:`dashboard.export.encode_query`, so a refresh or a
shared link opens the same setting at the same month (in the same mode). While
Play runs the month in the URL waits: it is written when Play stops, not at
every month (each write is a browser history entry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import solara

from .export import View, decode_query, encode_query

if TYPE_CHECKING:
    from .app import PageActions, PageState


def page_view(st: "PageState", month: int) -> View:
    """The view the page shows: its mode, setting B's start and lever switches (compare mode), ``month``."""
    levers = tuple(k for k, on in st.b_enabled.value.items() if on)
    return View(st.mode.value, st.b_base.value, levers, month)


def use_url_sync(st: "PageState", act: "PageActions") -> None:
    """Keep the URL's query string on the page's setting, language, mode and month. A query the page did
    not write (the browser's back and forward; the browser's own first report of the URL) is applied when
    it holds another setting, view or month, else written over in the page's form."""
    router = solara.use_router()
    written = solara.use_ref(router.search)
    shown_month = solara.use_ref(st.session.month)
    if not st.playing.value:
        shown_month.current = st.session.month
    wanted = encode_query(st.settings.value, st.lang.value, page_view(st, shown_month.current))

    def push(query: str) -> None:
        written.current = query
        router.push(f"{router.path}?{query}")

    def follow_url():
        search = router.search or ""
        if search == (written.current or ""):
            return
        written.current = search
        decoded = decode_query(search)
        if encode_query(decoded.settings, decoded.lang or st.lang.value, decoded.view) != wanted:
            act.apply_query(search)
        elif search != wanted:
            push(wanted)

    def write_url():
        if wanted != (router.search or ""):
            push(wanted)

    solara.use_effect(follow_url, [router.search])
    solara.use_effect(write_url, [wanted])
