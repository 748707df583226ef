"""Text bound for a spreadsheet, made safe to open: no cell may start a formula.

A customer's words recorded as a complaint or an issue can begin with = + - @ (or a TAB
or CR, which Excel strips before looking); opened in Excel such a cell would run as a
formula. A leading apostrophe makes it text (OWASP's CSV/formula-injection advice). The
xlsx report and every `--format csv` list use this one rule.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """`value` with an apostrophe before a leading formula character; non-text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
