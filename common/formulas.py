"""Spreadsheet formula injection (OWASP ASVS 5.3.x, "CSV injection").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
may be run as a formula by spreadsheet software. Files we write prefix such cells with an
apostrophe so they show as text; the stored data is never changed.
"""

import re

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS_FIRST = frozenset(DANGEROUS_PREFIXES)
QUOTE = "'"
# What a spreadsheet formula looks like: "=…", or a sign before a function or a sheet
# reference ("+cmd|' /C calc'!A0", "@SUM("). "+223 20 24 11 22" and "-5" are not formulas.
_FORMULA = re.compile(r"^(=|[+\-@]\s*[A-Za-z_][\w.]*\s*[(!|])")


def is_formula(value: str) -> bool:
    """``value`` is a formula a spreadsheet would run (imports refuse such cells)."""
    return bool(_FORMULA.match(value))


def neutralise(value: str) -> str:
    """``value`` as a spreadsheet shows it as text."""
    return QUOTE + value if value[:1] in DANGEROUS_FIRST else value


def restore(value: str) -> str:
    """The stored value of a cell written by :func:`neutralise` (for re-imports)."""
    if value.startswith(QUOTE) and value[1:].startswith(DANGEROUS_PREFIXES):
        return value[1:]
    return value
