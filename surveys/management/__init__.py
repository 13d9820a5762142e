"""What the survey commands share: their messages in one language, French first."""

from django.conf import settings


def language_option(parser) -> None:
    """--language: the language of every message of the command."""
    parser.add_argument(
        "--language",
        choices=[code for code, _name in settings.LANGUAGES],
        default=settings.LANGUAGE_CODE,
        help="Language of the messages (default: %(default)s).",
    )
