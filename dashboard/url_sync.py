"""The page's state in the URL: the sidebar's setting, the language, compare mode with setting B, the month.

:func:`UrlSync` keeps the address bar's query string on what the page
shows, in the form of :func:`dashboard.export.encode_query`, so a refresh or a
shared link opens the same setting at the same month (in the same mode). While
Play runs the month in the URL waits: it is written when Play stops, not at
every month. A new setting, language or view goes through Solara's router (a
browser history entry, and the page re-renders); a new month alone is written
in place by the browser (``QueryWriter``: ``history.replaceState``), so a step
adds no history entry and does not re-render the page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import ipyvue
import solara
import traitlets

from .export import View, decode_query, encode_query

if TYPE_CHECKING:
    from .app import PageActions, PageState


class QueryWriter(ipyvue.VueTemplate):
    """An invisible widget that puts ``query`` in the address bar in place (no history entry, no
    navigation); an empty ``query`` leaves the address bar alone."""

    template = traitlets.Unicode("""<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() { this.write(); },
  watch: { query() { this.write(); } },
  methods: {
    write() {
      if (this.query && window.location.search.slice(1) !== this.query) {
        window.history.replaceState(window.history.state, "", window.location.pathname + "?" + this.query);
      }
    },
  },
};
</script>""").tag(sync=True)
    query = traitlets.Unicode("").tag(sync=True)


def without_month(search: str | None) -> str:
    """A query string written again in the page's form with month 0 (what is left when the month is set aside)."""
    decoded = decode_query(search)
    return encode_query(decoded.settings, decoded.lang or "", replace(decoded.view, month=0))


def page_view(st: "PageState", month: int) -> View:
    """The view the page shows: its mode, setting B's start and lever switches (compare mode), ``month``."""
    levers = tuple(k for k, on in st.b_enabled.value.items() if on)
    return View(st.mode.value, st.b_base.value, levers, month)


@solara.component
def UrlSync(st: "PageState", act: "PageActions"):
    """Keep the URL's query string on the page's setting, language, mode and month (re-rendered at every
    step: it reads ``tick``). A query the page did not write (the browser's back and forward; the browser's
    own first report of the URL) is applied when it holds another setting, view or month, else written
    over in the page's form. Shows nothing (``QueryWriter`` writes a new month alone)."""
    router = solara.use_router()
    _ = st.tick.value
    written = solara.use_ref(router.search)
    shown_month = solara.use_ref(st.session.month)
    if not st.playing.value:
        shown_month.current = st.session.month
    wanted = encode_query(st.settings.value, st.lang.value, page_view(st, shown_month.current))
    url_base = solara.use_memo(lambda: without_month(router.search), [router.search])
    month_only = url_base == encode_query(st.settings.value, st.lang.value, page_view(st, 0))

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
        if wanted != (router.search or "") and not month_only:
            push(wanted)

    solara.use_effect(follow_url, [router.search])
    solara.use_effect(write_url, [wanted])
    QueryWriter.element(query=wanted if month_only else "")
