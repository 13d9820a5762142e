"""Phones that exports write as they are (the formula rule itself is common.formulas)."""

from common.phones import is_e164


def is_plain_phone(value: str) -> bool:
    """A valid E.164 number: a plus sign and digits only, which no spreadsheet runs as code."""
    return is_e164(value)
