"""Generated blocks in the documentation: the text between a BEGIN and an END marker.

Every tool that writes into ``docs/`` (``docs``, ``lever_docs``, ``calibration``,
``economy``) replaces its blocks with :func:`replace_block`, so a missing marker is an
error named the same way everywhere.
"""

from __future__ import annotations

import re


def replace_block(text: str, begin: str, end: str, body: str, doc: str) -> str:
    """``text`` with what lies between the markers ``begin`` and ``end`` replaced by ``body``
    (on its own lines). Raises ``SystemExit`` naming ``doc`` and the markers if they are
    missing."""
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{doc}: markers missing:\n{begin}\n{end}")
    return pattern.sub(lambda _m: f"{begin}\n{body}\n{end}", text)
