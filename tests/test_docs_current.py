"""The generated tables in the documentation match the code: the register and outcomes in
docs/ODD.md and the lever tables in docs/levers.md (``python -m model.tools.docs`` and
``python -m model.tools.lever_docs --no-figures`` refresh them). docs/rules.md has its own
test (tests/test_rules.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.tools import docs, lever_docs
from model.tools.markers import replace_block

ROOT = Path(__file__).resolve().parents[1]


def test_odd_tables_are_current():
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert docs.render(text) == text, "docs/ODD.md is out of date: run python -m model.tools.docs"


def test_lever_tables_are_current():
    text = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    assert lever_docs.render(text) == text, "docs/levers.md is out of date: run python -m model.tools.lever_docs"


def test_a_block_is_replaced_between_its_markers_and_missing_markers_are_an_error():
    text = "head\n<!-- B -->\nold\n<!-- E -->\ntail"
    assert replace_block(text, "<!-- B -->", "<!-- E -->", "new", "doc.md") == "head\n<!-- B -->\nnew\n<!-- E -->\ntail"
    with pytest.raises(SystemExit, match="doc.md: markers missing"):
        replace_block("no markers", "<!-- B -->", "<!-- E -->", "new", "doc.md")
