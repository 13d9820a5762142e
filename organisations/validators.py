from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.phones import is_e164
from common.text import fold


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


def synonym_words(text: str) -> list[str]:
    """The words of a synonym group as staff wrote them: separated by commas."""
    return [word.strip() for word in (text or "").split(",") if word.strip()]


def validate_synonym_group(value: str) -> None:
    """A synonym group: at least two different words (accents and case aside), each one
    word, since a search matches word by word."""
    words = synonym_words(value)
    if phrases := [word for word in words if len(fold(word).split()) != 1]:
        raise ValidationError(
            _("Each synonym must be a single word, without spaces or hyphens: %(words)s."),
            code="synonym_not_a_word",
            params={"words": ", ".join(f"« {phrase} »" for phrase in phrases)},
        )
    if len({fold(word) for word in words}) < 2:
        raise ValidationError(
            _(
                "Write at least two different words separated by commas, such as "
                "« retour, rapatrié, expulsé »."
            ),
            code="synonym_group_too_small",
        )
