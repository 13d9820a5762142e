"""What the survey commands share: their messages in one language, French first, and the
choice of applying the valid rows and setting the others aside."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from surveys.models import ImportBatch


def language_option(parser) -> None:
    """--language: the language of every message of the command."""
    parser.add_argument(
        "--language",
        choices=[code for code, _name in settings.LANGUAGES],
        default=settings.LANGUAGE_CODE,
        help="Language of the messages (default: %(default)s).",
    )


def set_aside_options(parser, default_place: str) -> None:
    """--set-aside and --set-aside-file: "all or nothing" stays the default."""
    parser.add_argument(
        "--set-aside",
        action="store_true",
        help="Apply the valid rows and set the rows in error aside, in a file to correct "
        "and import again (default: all rows or none).",
    )
    parser.add_argument(
        "--set-aside-file",
        type=Path,
        help=f"Where to write the rows set aside (default: {default_place}); the import also "
        "keeps them, for download in the admin.",
    )


def import_mode(options: dict) -> str:
    return ImportBatch.Mode.SET_ASIDE if options["set_aside"] else ImportBatch.Mode.ALL_OR_NOTHING


def write_set_aside(stdout: OutputWrapper, batch: ImportBatch, target: Path) -> None:
    """The rows the import set aside, written to ``target`` to correct and import again."""
    with batch.set_aside_file.open("rb") as stored:
        target.write_bytes(stored.read())
    stdout.write(
        _(
            "%(applied)s rows applied, %(aside)s set aside: written to %(path)s, to "
            "correct and import again."
        )
        % {"applied": batch.rows_applied, "aside": batch.rows_set_aside, "path": target}
    )
