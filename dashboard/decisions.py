"""The workshop's decision log (JSON lines) and the replay of a team's run from it.

Every team page in workshop mode writes what changes its run, with the time:

* ``join`` — a team joined, or opened another page (a refresh is a new page);
* ``set`` — a setting changed in the sidebar (applied only at the next build);
* ``build`` — the run(s) rebuilt (Reset, a preset, compare mode, a link, run to
  an earlier month): setting A and, in compare mode, setting B, in full;
* ``step`` — one month of every run, with the month reached;
* ``leave`` — the page was closed (its tab closed or refreshed, or the team removed);
* ``remove`` — the facilitator removed the team.

A run depends only on its builds and steps (the model draws every random number
from its seed), so :func:`replay` rebuilds a team page's run from the log, step
by step, and its time series equals the live page's byte for byte.

Each record is one line written whole: the log file is opened in append mode for
each record, written in one call under a lock, flushed and synced, so a crash
leaves every earlier line complete.

    python run.py dashboard-replay LOG --team NAME [--page N] [--csv FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the launcher (dashboard.server) must not import the model
    from .controls import Settings

LOG_NAME = "decisions.jsonl"
RUN_EVENTS = ("build", "step")


class LogError(ValueError):
    """The log cannot be read, or holds no such team or page (``run.py dashboard-replay`` exits with 2)."""


class ReplayMismatch(RuntimeError):
    """A replayed step reached another month than the log says: the log does not describe this run."""


def settings_record(s: Settings) -> dict[str, Any]:
    """A setting as JSON data (floats keep every digit: JSON writes Python's shortest exact form)."""
    return {"preset": s.preset, "seed": s.seed, "values": dict(s.values), "enabled": dict(s.enabled),
            "profile": s.profile}


def settings_from_record(d: dict[str, Any]) -> Settings:
    """The setting written by :func:`settings_record`."""
    from .controls import GENERIC_STREET, Settings

    return Settings(preset=d["preset"], seed=int(d["seed"]), values=dict(d["values"]), enabled=dict(d["enabled"]),
                    profile=d.get("profile", GENERIC_STREET))


def now_iso() -> str:
    """The time now, UTC, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class DecisionLog:
    """The workshop's log file, shared by every page of the server (thread-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as one line (with the time), flushed and synced to disk."""
        line = json.dumps({"time": now_iso(), **record}, ensure_ascii=False) + "\n"
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


@dataclass
class PageJournal:
    """What one team page writes to the log: every record carries the team's name and the page's number."""

    log: DecisionLog
    team: str
    page: int

    def record(self, event: str, **data: Any) -> None:
        """Log ``event`` with its data."""
        self.log.write({"team": self.team, "page": self.page, "event": event, **data})


def read_log(path: Path | str) -> list[dict[str, Any]]:
    """The log's records in order; LogError names the file and line of anything unreadable."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LogError(f"{path}: {exc.strerror or exc}") from None
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LogError(f"{path}, line {n}: not a JSON record ({exc.msg})") from None
        if not isinstance(rec, dict) or not {"team", "page", "event"} <= rec.keys():
            raise LogError(f"{path}, line {n}: a record needs team, page and event")
        records.append(rec)
    return records


def team_records(records: list[dict[str, Any]], team: str, page: int | None = None) -> list[dict[str, Any]]:
    """The records of one team page: ``page``, else the team's last page that built a run."""
    mine = [r for r in records if r["team"] == team]
    if not mine:
        teams = sorted({r["team"] for r in records})
        raise LogError(f"no team {team!r} in the log; teams: {', '.join(teams) or 'none'}")
    if page is None:
        built = [r["page"] for r in mine if r["event"] == "build"]
        if not built:
            raise LogError(f"team {team!r} never started a run")
        page = built[-1]
    chosen = [r for r in mine if r["page"] == page]
    if not chosen:
        raise LogError(f"team {team!r} has no page {page}; pages: {sorted({r['page'] for r in mine})}")
    return chosen


def replay(records: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], Any]]:
    """Apply one page's builds and steps to a fresh ``Session``; yield (record, session) after each."""
    from .session import Session

    session = Session()
    for rec in records:
        if rec["event"] == "build":
            b = rec.get("b")
            session.build(settings_from_record(rec["a"]), settings_from_record(b) if b else None)
        elif rec["event"] == "step":
            session.step()
            if session.month != rec["month"]:
                raise ReplayMismatch(f"step logged at {rec['time']} reached month {rec['month']}, "
                                     f"the replay month {session.month}")
        else:
            continue
        yield rec, session


def replay_team(path: Path | str, team: str, page: int | None = None):
    """The session at the end of a team page's replayed run."""
    session = None
    for _rec, session in replay(team_records(read_log(path), team, page)):
        pass
    return session


def _line(rec: dict[str, Any], session) -> str:
    cur = session.current
    what = rec["event"] + (" (compare)" if rec["event"] == "build" and rec.get("b") else "")
    needs = f"{cur['needs_met_share']:.1%}" if cur else "-"
    sat = f"{cur['satisfaction']:.3f}" if cur else "-"
    return f"{rec['time']}  {what:15s} month {session.month:4d}  needs met {needs:>6s}  satisfaction {sat}"


def cmd_replay(args: argparse.Namespace) -> int:
    """``run.py dashboard-replay``: print a team's run step by step; ``--csv`` writes its time series."""
    from .export import timeseries_csv

    try:
        records = team_records(read_log(args.log), args.team, args.page)
        session = None
        for rec, session in replay(records):
            print(_line(rec, session))
        if session is None:
            raise LogError(f"page {records[0]['page']} of team {args.team!r} never started a run")
    except (LogError, ReplayMismatch) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.csv:
        out = Path(args.csv)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(timeseries_csv(session.a), encoding="utf-8")
        os.replace(tmp, out)  # whole or not at all
        print(f"time series of team {args.team!r} (page {records[0]['page']}) written to {out}")
    return 0


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``dashboard-replay`` to ``run.py``'s subcommands."""
    p = sub.add_parser("dashboard-replay", help="replay a workshop team's run from the decision log")
    p.add_argument("log", help=f"the workshop's {LOG_NAME} (results/workshop-.../)")
    p.add_argument("--team", required=True, help="the team's name as it joined")
    p.add_argument("--page", type=int, default=None, help="which of the team's pages (default: its last run)")
    p.add_argument("--csv", default=None, help="write the replayed run's time series (timeseries.csv) here")
    p.set_defaults(func=cmd_replay)
