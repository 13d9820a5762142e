"""Reading whole numbers typed by people or found in URLs and files.

`str.isdigit()` is true for "¹", "²" or "①", which `int()` refuses: a check based on it lets a
ValueError through. These helpers accept the ASCII digits 0-9 only.
"""

# The largest primary key the databases store (a signed 64-bit integer): a larger number in a
# URL or a filter would crash SQLite's driver instead of matching nothing.
MAX_ID = 2**63 - 1


def is_plain_integer(text: str) -> bool:
    """True when `text` is made of the digits 0-9 only (no sign, no space, not empty)."""
    return text.isascii() and text.isdigit()


def parse_id(text: str) -> int | None:
    """The primary key written in `text`, or None when it cannot be one."""
    if not is_plain_integer(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
