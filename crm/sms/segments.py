"""How many segments a text costs: GSM-7 when every character allows it, else UCS-2.

Carriers bill per segment. GSM-7 fits 160 characters in one segment and 153 in each
part of a longer message (the rest carries the join header); UCS-2 fits 70 and 67.
Any Chinese character forces UCS-2, so a Chinese reminder costs a segment per 67
characters once it passes 70.
"""

from __future__ import annotations

import math
from typing import NamedTuple

# The GSM 03.38 basic alphabet, and the extension table whose characters take two septets.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


class Segments(NamedTuple):
    characters: int  # as the customer sees them
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int

    @property
    def per_segment(self) -> int:
        single, multi = (160, 153) if self.encoding == "GSM-7" else (70, 67)
        return single if self.segments == 1 else multi


def count(text: str) -> Segments:
    """The encoding and segment count of `text`."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        # Characters outside the Basic Multilingual Plane (emoji) take two UTF-16 units.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / multi)
    return Segments(len(text), encoding, units, segments)
