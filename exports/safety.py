"""Spreadsheet formula injection (OWASP ASVS 5.3.x, "CSV injection").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
may be run as a formula by spreadsheet software. Exports prefix such cells with an
apostrophe so they show as text; the stored data is never changed.
"""

import re

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS_FIRST = frozenset(DANGEROUS_PREFIXES)
QUOTE = "'"
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def neutralise(value: str) -> str:
    """``value`` as a spreadsheet shows it as text."""
    return QUOTE + value if value[:1] in DANGEROUS_FIRST else value


def restore(value: str) -> str:
    """The stored value of a cell written by :func:`neutralise` (for re-imports)."""
    if value.startswith(QUOTE) and value[1:].startswith(DANGEROUS_PREFIXES):
        return value[1:]
    return value


def is_plain_phone(value: str) -> bool:
    """An E.164 number: a plus sign and digits only, which no spreadsheet runs as code."""
    return bool(_E164.match(value))
