"""The server's CPU per click, in-process: ``python -m benchmarks.dashboard_click``.

The dashboard page (``dashboard.app.Page`` in Solara's ``AppLayout``) is rendered
in this process with ``solara.render`` (no browser, no websocket), the window
reported as ``--width`` x ``--height`` (1280x720 by default, sidebar shown). Then
Step is clicked ``--warm-up`` times (3) and ``--clicks`` times (40); for each
measured click the thread CPU time of ``Session.advance`` (the step and whatever
the server draws) and of ``PageActions.moved`` (Solara's re-render of the
components a step changes) is taken, and the medians are printed (ms). What the
browser does with the widgets' messages is not counted. Then ``--counted`` (10)
more clicks count what a step re-renders (``step_counts``): the elements the
render pass visits, the components it renders and the widgets it updates, a
click; and the renderer (reacton's fast one unless ``REACTON_FAST=0``).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import gc
import io
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator


def _timed(store: list, fn):
    def wrapper(*args, **kwargs):
        c0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            store.append((time.thread_time() - c0) * 1000)
    return wrapper


@contextlib.contextmanager
def rendered_page(width: int = 1280, height: int = 720) -> Iterator[tuple]:
    """The dashboard page rendered in this process (with its router and app layout) in a window ``width`` x
    ``height`` px: yields (the reacton render context, the Step button's widget); closed on exit."""
    import ipyvuetify as v
    import solara
    import solara.routing

    from dashboard import app

    with contextlib.redirect_stdout(io.StringIO()):  # AppLayout prints its app bar outside a server
        @solara.component
        def Root():
            path, set_path = solara.use_state("/")
            solara.routing.router_context.provide(solara.routing.Router(path, [solara.Route("/")], set_path))
            with solara.AppLayout():
                app.Page()

        _, rc = solara.render(Root(), handle_error=False)
        try:
            window = rc.find(app.WindowWidth).widget
            window.width, window.height = width, height
            yield rc, rc.find(v.Btn, children=["单步"]).widget
        finally:
            rc.close()


def step_counts(rc, step, clicks: int = 10) -> dict[str, collections.Counter]:
    """Click ``step`` (on the page of render context ``rc``) ``clicks`` times and count per click: the
    elements the render passes visit ("visits", by component or widget name), the components rendered
    ("renders", by name) and the widgets updated ("updates", by widget class)."""
    import reacton.core

    components = [o for o in gc.get_objects() if isinstance(o, reacton.core.ComponentFunction)]
    before = {id(c): c.render_count for c in components}
    visits: collections.Counter = collections.Counter()
    updates: collections.Counter = collections.Counter()
    cls, update_widget = type(rc), reacton.core.Element._update_widget
    render = cls._render

    def counted_render(self, element, default_key, parent_key):
        visits[element.component.name] += 1
        return render(self, element, default_key, parent_key)

    def counted_update(self, widget, el_prev, kwargs):
        updates[type(widget).__name__] += 1
        return update_widget(self, widget, el_prev, kwargs)

    cls._render, reacton.core.Element._update_widget = counted_render, counted_update
    try:
        for _ in range(clicks):
            step.click()
    finally:
        cls._render, reacton.core.Element._update_widget = render, update_widget
    renders = collections.Counter({c.name: c.render_count - before[id(c)] for c in components})
    return {what: collections.Counter({k: n / clicks for k, n in counts.items() if n})
            for what, counts in (("visits", visits), ("renders", renders), ("updates", updates))}


def measure(width: int = 1280, height: int = 720, warm_up: int = 3, clicks: int = 40,
            counted: int = 10) -> dict[str, float]:
    """Median thread CPU (ms) of ``Session.advance`` and ``PageActions.moved`` over ``clicks`` Step clicks,
    then component renders and widget updates a click over ``counted`` more clicks."""
    import reacton.core

    from dashboard import app
    from dashboard.session import Session

    times: dict[str, list[float]] = defaultdict(list)
    advance, moved = Session.advance, app.PageActions.moved
    Session.advance = _timed(times["advance"], advance)
    app.PageActions.moved = _timed(times["moved"], moved)
    try:
        with rendered_page(width, height) as (rc, step):
            for _ in range(warm_up):
                step.click()
            for k in times.values():
                k.clear()
            for _ in range(clicks):
                step.click()
            got = {k: statistics.median(vs) for k, vs in times.items()} | {
                "clicks": min(len(vs) for vs in times.values())}
            Session.advance, app.PageActions.moved = advance, moved
            counts = step_counts(rc, step, counted)
    finally:
        Session.advance, app.PageActions.moved = advance, moved
    fast = isinstance(rc, getattr(reacton.core, "_RenderContextFast", ()))
    return got | {what: sum(c.values()) for what, c in counts.items()} | {"renderer": "fast" if fast else "default"}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--warm-up", type=int, default=3)
    ap.add_argument("--clicks", type=int, default=40)
    ap.add_argument("--counted", type=int, default=10)
    args = ap.parse_args(argv)
    got = measure(args.width, args.height, args.warm_up, args.clicks, args.counted)
    print(f"{got['clicks']} clicks at {args.width}x{args.height}: Session.advance {got['advance']:.1f} ms, "
          f"PageActions.moved {got['moved']:.1f} ms, together {got['advance'] + got['moved']:.1f} ms of CPU (medians); "
          f"a click visits {got['visits']:.0f} elements, renders {got['renders']:.0f} components and updates "
          f"{got['updates']:.0f} widgets ({got['renderer']} renderer)")


if __name__ == "__main__":
    main()
