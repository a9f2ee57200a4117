"""The join address as a QR code for the facilitator's screen (``segno``: pure Python, no other dependency).

A phone's camera opens the address it encodes (``http://ADDRESS:PORT/?join=CODE``),
so a participant joins without typing it. The code is an SVG data URI, drawn
by the browser at any size without blur on a projector.
"""

from __future__ import annotations

import segno

QR_ERROR = "m"  # medium error correction: still read when a projector blurs or a corner is glared
QR_SCALE = 6  # px per module in the SVG's own size; the page sets the shown size


def qr_data_uri(text: str) -> str:
    """``text`` encoded as a QR code, as an SVG data URI (dark modules on white, a quiet zone of 2 modules)."""
    return segno.make(text, error=QR_ERROR).svg_data_uri(scale=QR_SCALE, border=2)
