"""Load benchmark of the workshop dashboard: N concurrent browser sessions stepping the default street.

    python -m benchmarks.dashboard_load --sessions 30 [--steps 10] [--think-ms 1000] [--protocol] [--json FILE]

Starts its own dashboard server (127.0.0.1, a free port, as ``run.py dashboard``
does) and one headless Chromium (Debian's ``/usr/bin/chromium`` or ``--chromium
PATH``) with N pages, each in its own browser context: N Solara sessions, each
with its own default-street model (preset ``baseline``, 100,000 residents).
The pages are opened one after the other; then every page clicks Step
``--steps`` times, all pages at once, waiting ``--think-ms`` between a redraw
and its next click (people read the chart before they click again; 0 is the
worst case: every session clicks as fast as the server answers).

Measured:

* **click to redrawn chart**: in the page, from the click on Step to the live
  chart (drawn in the browser, ``dashboard.live_chart``) redrawn with the new
  month and the next frame painted; median and 95th percentile over every click
  of every session (the first click of each page is not counted);
* **server memory**: the resident set (RSS) of the server process and its
  children, sampled every 0.5 s: before any page, after the pages opened, and
  the peak;
* **server CPU per click**: the server's CPU time (user + system) while the
  pages step, divided by the clicks (the first clicks included): what one
  click costs the server, whose Python code runs on one core at a time;
* **the rest of the machine's CPU per click**: the CPU time of the whole
  machine while the pages step, less the server's, divided by the clicks:
  mostly the browser drawing the pages (and whatever else runs on the machine).

The browser runs on the same machine and takes CPU from the server: on a
2-core machine the times are an upper bound of what a room of devices sees.

With ``--protocol`` no browser runs: each session is a ``ProtocolPage``, a
websocket client speaking Solara's widget protocol as the page does (it runs
the app, reports a 1280 px window, keeps the widgets' state, sends Step's click
event), and a click's time runs to the arrival of the live chart's message for
the new month (the browser's own redraw, measured in the browser mode, is not
in it). The server does the same work as for a browser page, so this measures
what the server can serve on the machine without N browsers sharing its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import struct
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import psutil

from dashboard.server import DashboardServer

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
LOAD_TIMEOUT_MS = 300_000
STEP_LABEL = "单步"
CHART = ".dash-live-chart"
# one click in the page: the time from the click on Step to the live chart redrawn with the new month (its
# data-month set after ECharts drew it) and the next frame painted (ms)
CLICK_JS = """async ([label, chart]) => {
  const el = document.querySelector(chart);
  const before = Number(el.dataset.month);
  const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === label);
  const t0 = performance.now();
  button.click();
  await new Promise(resolve => {
    const check = () => {
      if (Number(el.dataset.month) > before) requestAnimationFrame(() => resolve());
      else setTimeout(check, 5);
    };
    check();
  });
  return performance.now() - t0;
}"""


class RssSampler:
    """The RSS of a process and its children, sampled in a thread every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.5):
        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def cpu_s(self) -> float:
        """CPU seconds (user + system) of the process and its children so far."""
        t = self.proc.cpu_times()
        return t.user + t.system + t.children_user + t.children_system

    def now(self) -> int:
        """RSS in bytes of the process and its children now."""
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> "RssSampler":
        self.peak = self.now()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _session(page, steps: int, think_s: float) -> list[float]:
    """Click Step ``steps`` + 1 times on one page; the click-to-chart times after the first."""
    times = []
    for i in range(steps + 1):
        ms = await page.evaluate(CLICK_JS, [STEP_LABEL, CHART])
        if i:
            times.append(ms)
        await asyncio.sleep(think_s)
    return times


async def _drive(url: str, chromium: str, sessions: int, steps: int, think_s: float, on_opened) -> list[float]:
    """Open ``sessions`` pages (each its own context) one by one, then step them all at once."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        pages = []
        for _ in range(sessions):
            ctx = await browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
            page = await ctx.new_page()
            await page.goto(url)
            await page.locator(f"{CHART}:not([data-month='-1'])").first.wait_for(timeout=LOAD_TIMEOUT_MS)
            pages.append(page)
        on_opened()
        per_page = await asyncio.gather(*(_session(p, steps, think_s) for p in pages))
        await browser.close()
    return [t for times in per_page for t in times]


def _message(page_id: str, msg_type: str, content: dict) -> str:
    """A Jupyter message on the shell channel, as Solara's page sends it over its websocket."""
    header = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "msg_id": str(uuid.uuid4()),
              "msg_type": msg_type, "session": page_id, "username": "", "version": "5.2"}
    return json.dumps({"buffers": [], "channel": "shell", "content": content, "header": header, "metadata": {},
                       "parent_header": {}})


def _decode(raw: str | bytes) -> dict:
    """A message from the server: JSON text, or Jupyter's binary form (the JSON part; buffers skipped)."""
    if isinstance(raw, str):
        return json.loads(raw)
    n = struct.unpack("!I", raw[:4])[0]
    offsets = struct.unpack("!" + "I" * n, raw[4:4 * (n + 1)])
    end = offsets[1] if n > 1 else len(raw)
    return json.loads(raw[offsets[0]:end])


class ProtocolPage:
    """One dashboard session driven over Solara's websocket, as its page would, with no browser: it opens a
    kernel, runs the app, tells it a 1280 px window, keeps every widget's state, clicks Step (the click event
    a page sends) and notes when the live chart's month message (``append``) arrives."""

    def __init__(self, url: str):
        self.url, self.page_id = url, str(uuid.uuid4())
        self.states: dict[str, dict] = {}
        self.months: dict[int, float] = {}  # month -> when its chart message arrived (perf_counter)
        self.arrived = asyncio.Event()

    async def open(self) -> None:
        """Connect, run the app and wait until the Step button and the chart exist."""
        from websockets.asyncio.client import connect

        cookie = await asyncio.to_thread(_session_cookie, self.url)
        ws_url = self.url.replace("http://", "ws://").rstrip("/")
        self.ws = await connect(f"{ws_url}/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={self.page_id}",
                                additional_headers={"Cookie": cookie}, max_size=None)
        self.reader = asyncio.create_task(self._read())
        control = str(uuid.uuid4())
        await self.ws.send(_message(self.page_id, "comm_open",
                                    {"comm_id": control, "target_name": "solara.control", "data": {}}))
        await self.ws.send(_message(self.page_id, "comm_msg", {"comm_id": control, "data": {
            "method": "run", "args": {"path": "/", "dark": False, "themes": {"light": {}, "dark": {}},
                                      "appName": None}}}))
        deadline = time.perf_counter() + LOAD_TIMEOUT_MS / 1000
        while self._find(lambda st: st.get("children") == [STEP_LABEL]) is None or 0 not in self.months:
            if time.perf_counter() > deadline:
                raise TimeoutError("the page did not come up")
            if self._find(lambda st: "width" in st and st.get("_model_name") == "VueTemplateModel"):
                await self._update(lambda st: "width" in st and st.get("_model_name") == "VueTemplateModel",
                                   {"width": 1280})
            await asyncio.sleep(0.05)

    def _find(self, test) -> str | None:
        return next((cid for cid, st in self.states.items() if test(st)), None)

    async def _update(self, test, state: dict) -> None:
        cid = self._find(test)
        if cid is not None and any(self.states[cid].get(k) != v for k, v in state.items()):
            self.states[cid].update(state)
            await self.ws.send(_message(self.page_id, "comm_msg", {"comm_id": cid, "data": {
                "method": "update", "state": state, "buffer_paths": []}}))

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = _decode(raw)
            content, kind = msg.get("content", {}), msg.get("header", {}).get("msg_type")
            data = content.get("data", {})
            if kind == "comm_open":
                self.states[content["comm_id"]] = dict(data.get("state", {}))
            elif kind == "comm_msg" and data.get("method") == "update":
                self.states.setdefault(content["comm_id"], {}).update(data.get("state", {}))
                option = data.get("state", {}).get("option")
                if option and "month" in option:  # the whole figure
                    self._arrive(option["month"])
            elif kind == "comm_msg" and data.get("method") == "custom":
                sent = data.get("content", {})
                if sent.get("method") == "append":
                    self._arrive(sent["args"][0]["month"])

    def _arrive(self, month: int) -> None:
        self.months.setdefault(month, time.perf_counter())
        self.arrived.set()

    async def click(self) -> float:
        """Click Step; ms until the chart's message for the next month arrived."""
        want = max(self.months) + 1
        button = self._find(lambda st: st.get("children") == [STEP_LABEL])
        t0 = time.perf_counter()
        await self.ws.send(_message(self.page_id, "comm_msg", {"comm_id": button, "data": {
            "method": "custom", "content": {"event": "click", "data": {}}}}))
        while want not in self.months:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), LOAD_TIMEOUT_MS / 1000)
        return (self.months[want] - t0) * 1000

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


def _session_cookie(url: str) -> str:
    """The session cookie the server sets on the page's first request."""
    with urllib.request.urlopen(url, timeout=LOAD_TIMEOUT_MS / 1000) as resp:
        return "; ".join(c.split(";")[0] for c in resp.headers.get_all("Set-Cookie") or [])


async def _drive_protocol(url: str, sessions: int, steps: int, think_s: float, on_opened) -> list[float]:
    """Open ``sessions`` protocol-level pages one by one, then step them all at once."""
    pages = []
    for _ in range(sessions):
        page = ProtocolPage(url)
        await page.open()
        pages.append(page)
    on_opened()
    per_page = await asyncio.gather(*(_session_protocol(p, steps, think_s) for p in pages))
    for page in pages:
        await page.close()
    return [t for times in per_page for t in times]


async def _session_protocol(page: ProtocolPage, steps: int, think_s: float) -> list[float]:
    times = []
    for i in range(steps + 1):
        ms = await page.click()
        if i:
            times.append(ms)
        await asyncio.sleep(think_s)
    return times


def machine_cpu_s() -> float:
    """CPU seconds (user + system) spent by the whole machine so far, all cores."""
    t = psutil.cpu_times()
    return t.user + t.system


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between the nearest ranks."""
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run(sessions: int, steps: int, think_ms: int, chromium: str | None) -> dict:
    """Start a server, drive the sessions (browser pages, or at the protocol level without ``chromium``),
    and return the measurements."""
    load_before = os.getloadavg()[0]
    with DashboardServer(lang="zh", log=subprocess.DEVNULL) as server, RssSampler(server.proc.pid) as rss:
        before = rss.now()
        opened: dict[str, float] = {}

        def on_opened():
            opened["rss"] = rss.now()
            opened["t"] = time.perf_counter()
            opened["cpu"] = rss.cpu_s()
            opened["machine_cpu"] = machine_cpu_s()

        if chromium is None:
            times = asyncio.run(_drive_protocol(server.url, sessions, steps, think_ms / 1000, on_opened))
        else:
            times = asyncio.run(_drive(server.url, chromium, sessions, steps, think_ms / 1000, on_opened))
        stepping_s = time.perf_counter() - opened["t"]
        clicks = sessions * (steps + 1)
        cpu_per_click = (rss.cpu_s() - opened["cpu"]) / clicks
        machine_per_click = (machine_cpu_s() - opened["machine_cpu"]) / clicks
        peak = max(rss.peak, rss.now())
    return {"mode": "browser" if chromium else "protocol", "sessions": sessions, "steps_per_session": steps, "think_ms": think_ms, "clicks": len(times),
            "click_to_chart_ms": {"median": statistics.median(times), "p95": percentile(times, 95),
                                  "max": max(times)},
            "server_rss_mb": {"before_pages": before / 2**20, "pages_open": opened["rss"] / 2**20,
                              "peak": peak / 2**20},
            "server_cpu_ms_per_click": cpu_per_click * 1000,
            "other_cpu_ms_per_click": (machine_per_click - cpu_per_click) * 1000, "stepping_wall_s": stepping_s, "cores": os.cpu_count(), "load_1min_before": load_before,
            "load_1min_after": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print (and with ``--json`` write) the measurements."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.dashboard_load", description=__doc__.split("\n")[0])
    p.add_argument("--sessions", type=int, default=30, help="concurrent browser sessions (default 30)")
    p.add_argument("--steps", type=int, default=10, help="measured Step clicks per session (default 10)")
    p.add_argument("--think-ms", type=int, default=1000, help="pause after a redraw before the next click")
    p.add_argument("--chromium", default=DEBIAN_CHROMIUM, help=f"the browser (default {DEBIAN_CHROMIUM})")
    p.add_argument("--protocol", action="store_true",
                   help="no browser: drive each session over Solara's websocket (click to the chart's message)")
    p.add_argument("--json", default=None, help="also write the measurements to this file")
    args = p.parse_args(argv)
    if not 1 <= args.sessions <= 200 or not 1 <= args.steps <= 120 or args.think_ms < 0:
        print("error: --sessions 1-200, --steps 1-120, --think-ms >= 0", file=sys.stderr)
        return 2
    if not args.protocol and not Path(args.chromium).is_file():
        print(f"error: no Chromium at {args.chromium} (apt-get install chromium, or --chromium PATH)", file=sys.stderr)
        return 2
    result = run(args.sessions, args.steps, args.think_ms, None if args.protocol else args.chromium)
    c, m = result["click_to_chart_ms"], result["server_rss_mb"]
    print(f"{result['mode']}: {args.sessions} sessions x {args.steps} steps (think {args.think_ms} ms), {result['clicks']} clicks: "
          f"click to {'the chart message' if args.protocol else 'redrawn chart'} median {c['median']:.0f} ms, p95 {c['p95']:.0f} ms, max {c['max']:.0f} ms; "
          f"server RSS {m['before_pages']:.0f} MB before pages, {m['pages_open']:.0f} MB with the pages open, "
          f"peak {m['peak']:.0f} MB; server CPU {result['server_cpu_ms_per_click']:.0f} ms per click, the rest of "
          f"the machine (the browser, other users) {result['other_cpu_ms_per_click']:.0f} ms; load {result['load_1min_after']:.1f} on {result['cores']} cores")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
