"""The server's CPU per click, in-process: ``python -m benchmarks.dashboard_click``.

The dashboard page (``dashboard.app.Page`` in Solara's ``AppLayout``) is rendered
in this process with ``solara.render`` (no browser, no websocket), the window
reported as ``--width`` x ``--height`` (1280x720 by default, sidebar shown). Then
Step is clicked ``--warm-up`` times (3) and ``--clicks`` times (40); for each
measured click the thread CPU time of ``Session.advance`` (the step and whatever
the server draws) and of ``PageActions.moved`` (Solara's re-render of the
components a step changes) is taken, and the medians are printed (ms). What the
browser does with the widgets' messages is not counted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from collections import defaultdict


def _timed(store: list, fn):
    def wrapper(*args, **kwargs):
        c0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            store.append((time.thread_time() - c0) * 1000)
    return wrapper


def measure(width: int = 1280, height: int = 720, warm_up: int = 3, clicks: int = 40) -> dict[str, float]:
    """Median thread CPU (ms) of ``Session.advance`` and ``PageActions.moved`` over ``clicks`` Step clicks."""
    import ipyvuetify as v
    import solara
    import solara.routing

    from dashboard import app
    from dashboard.session import Session

    times: dict[str, list[float]] = defaultdict(list)
    advance, moved = Session.advance, app.PageActions.moved
    Session.advance = _timed(times["advance"], advance)
    app.PageActions.moved = _timed(times["moved"], moved)
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # AppLayout prints its app bar outside a server
            @solara.component
            def Root():
                path, set_path = solara.use_state("/")
                solara.routing.router_context.provide(solara.routing.Router(path, [solara.Route("/")], set_path))
                with solara.AppLayout():
                    app.Page()

            _, rc = solara.render(Root(), handle_error=False)
            window = rc.find(app.WindowWidth).widget
            window.width, window.height = width, height
            step = rc.find(v.Btn, children=["单步"]).widget
            for _ in range(warm_up):
                step.click()
            for k in times.values():
                k.clear()
            for _ in range(clicks):
                step.click()
            rc.close()
    finally:
        Session.advance, app.PageActions.moved = advance, moved
    return {k: statistics.median(vs) for k, vs in times.items()} | {"clicks": min(len(vs) for vs in times.values())}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--warm-up", type=int, default=3)
    ap.add_argument("--clicks", type=int, default=40)
    args = ap.parse_args(argv)
    got = measure(args.width, args.height, args.warm_up, args.clicks)
    print(f"{got['clicks']} clicks at {args.width}x{args.height}: Session.advance {got['advance']:.1f} ms, "
          f"PageActions.moved {got['moved']:.1f} ms, together {got['advance'] + got['moved']:.1f} ms of CPU (medians)")


if __name__ == "__main__":
    main()
