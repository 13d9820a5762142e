"""Spreadsheet formula injection (OWASP ASVS 5.3.x, "CSV injection").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
may be run as a formula by spreadsheet software. Files we write prefix such cells with an
apostrophe so they show as text; the stored data is never changed.
"""

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DANGEROUS_FIRST = frozenset(DANGEROUS_PREFIXES)
QUOTE = "'"


def neutralise(value: str) -> str:
    """``value`` as a spreadsheet shows it as text."""
    return QUOTE + value if value[:1] in DANGEROUS_FIRST else value


def restore(value: str) -> str:
    """The stored value of a cell written by :func:`neutralise` (for re-imports)."""
    if value.startswith(QUOTE) and value[1:].startswith(DANGEROUS_PREFIXES):
        return value[1:]
    return value
