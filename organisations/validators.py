import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ITU-T E.164: a plus sign, a country code that does not start with 0, 15 digits at most.
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
_E164 = re.compile(E164_PATTERN)


def validate_e164(value: str) -> None:
    if not _E164.match(value or ""):
        raise ValidationError(
            _("%(value)s is not a phone number in E.164 form, such as +22320241122."),
            code="invalid_phone",
            params={"value": value},
        )
