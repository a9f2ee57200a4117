"""Workshop mode's shared state: the codes, the teams who joined, and what the projector shows.

``run.py dashboard --workshop`` (see :mod:`dashboard.server`) draws two random
codes and hands them to the server in its environment:

* the **join code** (8 characters, shown to the room): a participant opens
  ``http://ADDRESS:PORT/?join=CODE`` or types it on the refusal page;
* the **facilitator code** (for a second device of the facilitator's; the
  laptop that runs the server is the facilitator without a code).

:mod:`dashboard.gate` checks them on every request before Solara serves
anything and gives each browser a participant token (a cookie). The page asks
the token's team name once; the :class:`Registry` (one per server process)
keeps each team's name, its pages (one per connection: a refresh is a new page,
with a new ``Session``) and whether the facilitator removed it.
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from .decisions import LOG_NAME, DecisionLog, PageJournal, now_iso

JOIN_ENV = "DASHBOARD_JOIN_CODE"
FACILITATOR_ENV = "DASHBOARD_FACILITATOR_CODE"
LOG_ENV = "DASHBOARD_DECISION_LOG"
JOIN_URL_ENV = "DASHBOARD_JOIN_URL"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector without doubt
JOIN_CODE_LEN = 8
FACILITATOR_CODE_LEN = 16
MAX_TEAM_NAME = 30


def new_code(length: int = JOIN_CODE_LEN) -> str:
    """A random code from :data:`CODE_ALPHABET` (8 characters: about 8 × 10¹¹ possibilities)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: str) -> str:
    """A code as typed, compared without case, spaces or hyphens ('k7qp-x3ma' is 'K7QPX3MA')."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def shown_code(code: str) -> str:
    """A code in groups of four, as shown to people ('K7QP-X3MA')."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def active() -> bool:
    """True in a server started in workshop mode (a join code in the environment)."""
    return bool(os.environ.get(JOIN_ENV))


@dataclass
class TeamPage:
    """One page (browser connection) of a team: its session, its Solara kernel context, its journal."""

    number: int
    journal: PageJournal
    context: object | None = None
    session: object | None = None


@dataclass
class Team:
    """A team that joined: its name, the time it joined and its pages."""

    token: str
    name: str
    joined: str
    pages: list[TeamPage] = field(default_factory=list)

    @property
    def session(self):
        """The session of the team's newest page with a run (None before its page has one)."""
        return next((p.session for p in reversed(self.pages) if p.session is not None), None)


class Registry:
    """The teams of one workshop server (thread-safe: every page runs in its own thread)."""

    def __init__(self, log: DecisionLog):
        self.log = log
        self._lock = threading.Lock()
        self._teams: dict[str, Team] = {}
        self._removed: set[str] = set()
        self._pages = 0
        self.projected: str | None = None  # the token of the team on the projector

    def team(self, token: str) -> Team | None:
        """The team of a participant token (None: not joined yet, or removed)."""
        with self._lock:
            return self._teams.get(token)

    def teams(self) -> list[Team]:
        """The teams present, in the order they joined."""
        with self._lock:
            return list(self._teams.values())

    def removed(self, token: str) -> bool:
        """True when the facilitator removed this token's team."""
        return token in self._removed

    def join(self, token: str, name: str) -> Team:
        """Register a token's team name; ValueError (a catalogue key) when empty, too long or taken."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("team_name_empty")
        if len(name) > MAX_TEAM_NAME:
            raise ValueError("team_name_long")
        with self._lock:
            if token in self._removed:
                raise ValueError("team_removed")
            if any(t.name == name and t.token != token for t in self._teams.values()):
                raise ValueError("team_name_taken")
            team = self._teams.setdefault(token, Team(token, name, now_iso()))
        return team

    def open_page(self, team: Team, context: object | None) -> TeamPage:
        """A new page of ``team`` (its journal logs under the team's name), logged as ``join``."""
        with self._lock:
            self._pages += 1
            page = TeamPage(self._pages, PageJournal(self.log, team.name, self._pages), context)
            team.pages.append(page)
        page.journal.record("join")
        return page

    def close_page(self, page: TeamPage) -> None:
        """Forget a closed page's run (its browser tab is gone), so its models can be freed; logged as ``leave``."""
        page.session, page.context = None, None
        page.journal.record("leave")

    def remove(self, token: str) -> Team | None:
        """Remove a team: its token is refused from now on, its pages are closed; logged as ``remove``."""
        with self._lock:
            team = self._teams.pop(token, None)
            self._removed.add(token)
            if self.projected == token:
                self.projected = None
        if team is None:
            return None
        self.log.write({"team": team.name, "page": team.pages[-1].number if team.pages else 0, "event": "remove"})
        for page in team.pages:
            close = getattr(page.context, "close", None)
            if close is not None:
                close("evicted")
        return team


@cache
def registry() -> Registry:
    """This server's registry, logging to the file named by the environment."""
    return Registry(DecisionLog(Path(os.environ[LOG_ENV])))


@dataclass(frozen=True)
class WorkshopSetup:
    """What the launcher hands a workshop server: the codes, the decision log's path, the join address."""

    join_code: str
    facilitator_code: str
    log_path: Path
    join_url: str

    @classmethod
    def new(cls, results: Path, join_url: str) -> "WorkshopSetup":
        """Fresh codes; the log in a new folder ``results/workshop-YYYYmmdd-HHMMSS/``."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return cls(new_code(), new_code(FACILITATOR_CODE_LEN), results / f"workshop-{stamp}" / LOG_NAME, join_url)

    def env(self) -> dict[str, str]:
        """The server's environment variables of workshop mode."""
        return {JOIN_ENV: self.join_code, FACILITATOR_ENV: self.facilitator_code, LOG_ENV: str(self.log_path),
                JOIN_URL_ENV: f"{self.join_url}?join={self.join_code}"}
