"""The phone rule, in one place: libphonenumber parses, validates and formats.

Numbers are stored and exported in E.164 (``+22320241122``) and shown to people in
international format with spaces (``+223 20 24 11 22``). A number is accepted when it has
the length its country's numbering plan gives numbers (``+223 1234`` has not): libphonenumber's
finer check of allocated ranges (``is_valid_number``) lags behind West African operators and
refuses real numbers of the 2022 report (``+223 20 80 03 23``, ``+223 87 31 33 08``).
"""

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat

# The shape the database checks for a phone not flagged "to verify" (a CHECK constraint
# cannot run libphonenumber): a plus sign, a country code not starting with 0, digits.
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"


def parse_phone(text: str, region: str = "") -> PhoneNumber | None:
    """The number ``text`` writes, or None when it is not one (see the module's docstring).

    ``text`` may carry its own country code (``+221 77 123 45 67``, ``00221…``); without
    one it is read as a national number of ``region`` (an ISO 3166 code such as "ML").
    """
    try:
        number = phonenumbers.parse(text, region.upper() or None)
    except NumberParseException:
        return None
    # An extension ("poste 12") is not part of a stored number: such a text is kept as written.
    possible = phonenumbers.is_possible_number_with_reason(number)
    valid = possible == phonenumbers.ValidationResult.IS_POSSIBLE and not number.extension
    return number if valid else None


def to_e164(text: str, region: str = "") -> str:
    """The E.164 form of the valid number ``text`` writes, or "" (see :func:`parse_phone`)."""
    number = parse_phone(text, region)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if number else ""


def is_e164(value: str) -> bool:
    """``value`` is a valid number written in E.164, as numbers are stored."""
    return value[:1] == "+" and to_e164(value) == value


def format_international(value: str) -> str:
    """A stored E.164 number as people read it (``+223 20 24 11 22``); any other value
    (a number kept as the source wrote it, to verify) as it is."""
    number = parse_phone(value) if value[:1] == "+" else None
    if number is None or phonenumbers.format_number(number, PhoneNumberFormat.E164) != value:
        return value
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def region_of_prefix(prefix: str) -> str:
    """The main region of a country calling code written "+223" ("ML"), or ""."""
    digits = prefix.strip().lstrip("+")
    if not digits.isascii() or not digits.isdigit():
        return ""
    region = phonenumbers.region_code_for_country_code(int(digits))
    return "" if region == phonenumbers.UNKNOWN_REGION else region


def is_region(code: str) -> bool:
    """``code`` is a region libphonenumber knows (an ISO 3166 alpha-2 code: "ML", "SN")."""
    return code.upper() in phonenumbers.SUPPORTED_REGIONS
