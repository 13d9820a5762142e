"""Phones that exports write as they are (the formula rule itself is common.formulas)."""

import re

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def is_plain_phone(value: str) -> bool:
    """An E.164 number: a plus sign and digits only, which no spreadsheet runs as code."""
    return bool(_E164.match(value))
