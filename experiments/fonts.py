"""The font with Chinese glyphs for every ``zh`` figure (experiments' reports and the dashboard).

The project depends on ``mplfonts``, which ships Noto Sans CJK SC; at import
this module registers that font file with matplotlib's font manager, so the
README's ``pip install`` alone gives every machine (Linux, Windows, macOS)
Chinese glyphs. A system font from :data:`SYSTEM_CJK_FAMILIES` is preferred
when matplotlib's font manager knows it and it really has the glyphs (its
character map gives a nonzero glyph index); matplotlib's own
``LastResortHE``, whose character map covers every code point with boxes, is
never a candidate. The choice is made once per process (:func:`find_cjk_font`
is cached); a system font installed later is seen after a restart, once
matplotlib has rebuilt its font cache.

Only ``matplotlib.font_manager`` and ``ft2font`` are imported (no pyplot, no
backend), so the command line can call :func:`require_cjk_font` cheaply.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from matplotlib import font_manager, ft2font

from .i18n import FontError

PACKAGED_FILE = "NotoSansCJKsc-Regular.otf"
# system fonts with Chinese glyphs, in order of preference (Linux, Windows, macOS)
SYSTEM_CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
                       "Source Han Sans CN", "Microsoft YaHei", "DengXian", "SimHei", "PingFang SC",
                       "Hiragino Sans GB", "Heiti SC", "STHeiti", "WenQuanYi Zen Hei", "Noto Sans CJK JP",
                       "Droid Sans Fallback", "AR PL UMing CN")
PROBE = "中文"  # characters a usable font must map to real glyphs
INSTALL_HINT = ("no font with Chinese glyphs found for Chinese figures: the 'mplfonts' package (a dependency) "
                "is missing; reinstall the project with pip install -e \".[test]\" (or pip install mplfonts)")


def packaged_font_path() -> Path | None:
    """The Noto Sans CJK SC file shipped by ``mplfonts``, or None when that package is not installed."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / PACKAGED_FILE
    return path if path.is_file() else None


def has_glyphs(path: str | Path, text: str = PROBE, face_index: int = 0) -> bool:
    """True when the font file maps every character of ``text`` to a real glyph (index not 0)."""
    if Path(path).name.startswith("LastResort"):
        return False  # matplotlib's last resort: every code point, drawn as a box
    try:
        font = ft2font.FT2Font(str(path), face_index=face_index)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) != 0 for ch in text)


def register_packaged_font() -> str | None:
    """Add the packaged font to matplotlib's font manager (once); return its family name, or None."""
    path = packaged_font_path()
    if path is None:
        return None
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def system_cjk_font() -> str | None:
    """The first of :data:`SYSTEM_CJK_FAMILIES` that matplotlib knows from a system file with the glyphs."""
    packaged = packaged_font_path()
    by_name: dict[str, list[font_manager.FontEntry]] = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, []).append(entry)
    for family in SYSTEM_CJK_FAMILIES:
        for entry in by_name.get(family, []):
            if Path(entry.fname) != packaged and has_glyphs(entry.fname, face_index=entry.index):
                return family
    return None


@cache
def find_cjk_font() -> str | None:
    """Family name of the font for Chinese glyphs: a system font when present, else the packaged one."""
    return system_cjk_font() or PACKAGED


def require_cjk_font() -> str:
    """The CJK font family, or FontError saying what to install."""
    family = find_cjk_font()
    if family is None:
        raise FontError(INSTALL_HINT)
    return family


# family name of the packaged font, registered with matplotlib at import (None without mplfonts)
PACKAGED = register_packaged_font()
