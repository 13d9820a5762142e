from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.phones import is_e164


def validate_e164(value: str) -> None:
    """A stored phone: a valid number in E.164 (migrations name this validator)."""
    if not is_e164(value or ""):
        raise ValidationError(
            _(
                "%(value)s is not a valid phone number in E.164 form: a plus sign, the "
                "country code and the number, digits only, such as +22320241122."
            ),
            code="invalid_phone",
            params={"value": value},
        )
