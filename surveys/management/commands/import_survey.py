"""manage.py import_survey FILE --mapping M: the same preview and apply as the admin pages."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from common.numbers import is_plain_integer
from surveys.mapping import CREATABLE, MappingError
from surveys.models import ImportBatch
from surveys.planning.plan import Action, ImportPlan
from surveys.reading import FileRejected
from surveys.service import apply_import, error_rows_csv, load_mapping, preview_import


class Command(BaseCommand):
    help = "Import a survey export (XLSX or CSV): preview, then apply all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping", required=True, help="Code of a saved mapping, or a YAML/JSON file."
        )
        parser.add_argument("--dry-run", action="store_true", help="Preview only; write nothing.")
        parser.add_argument("--on-existing", choices=ImportBatch.OnExisting.values, default="fill")
        parser.add_argument(
            "--allow-create",
            nargs="*",
            choices=CREATABLE,
            default=[],
            help="Catalogues in which unknown values may be created.",
        )
        parser.add_argument(
            "--confirm-match",
            action="append",
            default=[],
            metavar="ROW=ORGANISATION_ID",
            help="Merge a row into a suggested existing organisation (repeatable).",
        )
        parser.add_argument("--user", help="User name recorded as the importer.")
        parser.add_argument("--errors-file", type=Path, help="Write the rows in error here.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            # Checked before reading, so that a huge file is not loaded to be refused.
            if path.stat().st_size > settings.SURVEY_IMPORT_MAX_BYTES:
                raise CommandError(
                    f"{path} is over the size limit (SURVEY_IMPORT_MAX_BYTES = "
                    f"{settings.SURVEY_IMPORT_MAX_BYTES} bytes); nothing was imported."
                )
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            mapping = load_mapping(options["mapping"])
        except (MappingError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        confirmed = _parse_matches(options["confirm_match"])
        arguments = {
            "on_existing": options["on_existing"],
            "allow_create": tuple(options["allow_create"]),
            "confirmed_matches": confirmed,
        }
        try:
            plan = preview_import(content, path.name, mapping, **arguments)
        except FileRejected as exc:
            raise CommandError(str(exc)) from None
        self._report(plan)
        if plan.has_errors:
            if options["errors_file"]:
                options["errors_file"].write_bytes(error_rows_csv(plan))
                self.stdout.write(f"Rows in error written to {options['errors_file']}")
            raise CommandError("Rows in error: nothing was imported.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']}.")
        _plan, batch = apply_import(content, path.name, mapping, user, **arguments)
        self.stdout.write(self.style.SUCCESS(f"Applied as import #{batch.pk}."))

    def _report(self, plan: ImportPlan) -> None:
        counts = plan.counts
        self.stdout.write(
            ", ".join(f"{Action(action).label}: {count}" for action, count in counts.items())
        )
        if plan.unknown_columns:
            self.stdout.write("Unknown columns (not imported): " + "; ".join(plan.unknown_columns))
        if plan.orphan_contacts:
            rows = ", ".join(map(str, plan.orphan_contacts))
            self.stdout.write(f"Contact rows pointing at no submission (not imported): {rows}")
        if plan.missing_columns:
            self.stdout.write("Mapped columns not in the file: " + "; ".join(plan.missing_columns))
        for row in plan.rows:
            for note in row.notes:
                self.stdout.write(f"row {row.row}: {note}")
            if row.suggestion and row.action == Action.NEW:
                org_id, label, score = row.suggestion
                self.stdout.write(
                    f"row {row.row}: “{row.name}” looks like “{label}” ({score}%); "
                    f"to merge, add --confirm-match {row.row}={org_id}"
                )
        for problem in plan.errors:
            where = f"row {problem.row}"
            if problem.column:
                where += f", column {problem.column} ({problem.header})"
            self.stderr.write(f"{where}: {problem.message}")


def _parse_matches(values: list[str]) -> dict[int, int]:
    matches = {}
    for value in values:
        row, _sep, org = value.partition("=")
        if not (is_plain_integer(row) and is_plain_integer(org)):
            raise CommandError(f"--confirm-match takes ROW=ORGANISATION_ID, not {value!r}.")
        matches[int(row)] = int(org)
    return matches
