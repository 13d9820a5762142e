"""manage.py import_survey FILE --mapping M: the same preview and apply as the admin pages."""

from pathlib import Path, PurePath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from common.numbers import is_plain_integer
from surveys.management import (
    import_mode,
    language_option,
    set_aside_options,
    write_set_aside,
)
from surveys.mapping import CREATABLE, MappingError
from surveys.models import ImportBatch
from surveys.planning.plan import Action, ImportPlan
from surveys.reading import FileRejected
from surveys.service import (
    apply_import,
    describe,
    error_rows_file,
    is_mapping_file,
    load_mapping,
    preview_import,
    refusal,
    set_aside_hint,
    where,
)


class Command(BaseCommand):
    help = (
        "Import a survey export (XLSX or CSV): preview, then apply all rows or none, or "
        "(--set-aside) the valid rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping",
            required=True,
            help="Code of a saved mapping, or a YAML/JSON file (saved once the import is applied).",
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
        parser.add_argument(
            "--errors-file",
            type=Path,
            help="Write the rows in error here (an XLSX workbook to correct and import again).",
        )
        parser.add_argument(
            "--notes", action="store_true", help="List every note, not only their counts."
        )
        set_aside_options(parser, "FILE-set-aside.xlsx or .csv next to FILE")
        language_option(parser)

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options):
        path: Path = options["file"]
        try:
            # Checked before reading, so that a huge file is not loaded to be refused.
            size = path.stat().st_size
            if size > settings.SURVEY_IMPORT_MAX_BYTES:
                raise CommandError(
                    _("%(path)s is over the size limit (%(limit)s bytes); nothing was imported.")
                    % {"path": path, "limit": settings.SURVEY_IMPORT_MAX_BYTES}
                )
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["user"]})
        try:
            # A mapping file is checked here and saved only with an applied import.
            mapping = load_mapping(options["mapping"], save=False)
        except MappingError as exc:
            raise CommandError(str(exc)) from None
        arguments = {
            "on_existing": options["on_existing"],
            "allow_create": tuple(options["allow_create"]),
            "confirmed_matches": _parse_matches(options["confirm_match"]),
        }
        try:
            plan = preview_import(content, path.name, mapping, **arguments)
        except (FileRejected, MappingError) as exc:
            raise CommandError(str(exc)) from None
        self._report(plan, options)
        mode = import_mode(options)
        if plan.has_errors and options["errors_file"]:
            options["errors_file"].write_bytes(error_rows_file(plan))
            self.stdout.write(
                _("Rows in error written to %(path)s") % {"path": options["errors_file"]}
            )
        if hint := set_aside_hint(plan, mode):
            self.stdout.write(hint)
        if refused := refusal(plan, mode):
            raise CommandError(refused)
        in_error = plan.counts[Action.ERROR]
        if options["dry_run"]:
            if in_error:
                self.stdout.write(
                    _("%(applied)s rows would be applied, %(aside)s set aside.")
                    % {"applied": len(plan.rows) - in_error, "aside": in_error}
                )
            self.stdout.write(_("Dry run: nothing was written."))
            return
        _plan, batch = apply_import(
            content,
            path.name,
            mapping,
            user,
            **arguments,
            save_mapping=is_mapping_file(options["mapping"]),
            mode=mode,
        )
        self.stdout.write(self.style.SUCCESS(_("Applied as import #%(id)s.") % {"id": batch.pk}))
        if batch.rows_set_aside:
            target = options["set_aside_file"] or path.with_name(
                f"{path.stem}-set-aside{PurePath(batch.set_aside_file.name).suffix}"
            )
            write_set_aside(self.stdout, batch, target)

    def _report(self, plan: ImportPlan, options) -> None:
        self.stdout.write(
            ", ".join(f"{Action(action).label}: {count}" for action, count in plan.counts.items())
        )
        if plan.unknown_columns:
            self.stdout.write(
                _("Unknown columns (not imported): %(columns)s")
                % {"columns": "; ".join(plan.unknown_columns)}
            )
        if plan.orphan_contacts:
            self.stdout.write(
                _("Contact rows pointing at no submission (not imported): %(rows)s")
                % {"rows": ", ".join(map(str, plan.orphan_contacts))}
            )
        if plan.orphan_services:
            self.stdout.write(
                _("Service rows pointing at no submission (not imported): %(rows)s")
                % {"rows": ", ".join(map(str, plan.orphan_services))}
            )
        if options["notes"]:
            for row in plan.rows:
                for note in row.notes:
                    line = {"where": where(row.row), "message": note}
                    self.stdout.write(_("%(where)s: %(message)s") % line)
        elif counts := plan.note_counts:
            summary = "; ".join(f"{label}: {count}" for label, count in counts)
            self.stdout.write(_("Notes: %(summary)s (--notes lists them).") % {"summary": summary})
        for row in plan.rows:
            if options["verbosity"] >= 2:
                for change in row.changes:
                    self.stdout.write(
                        _("%(where)s: “%(name)s”, %(field)s: “%(old)s” → “%(new)s”")
                        % {
                            "where": where(row.row),
                            "name": row.name,
                            "field": change.label,
                            "old": change.old,
                            "new": change.new,
                        }
                    )
            for service in row.links.get("services", []):
                self.stdout.write(
                    _("%(where)s: service “%(name)s”: %(action)s")
                    % {
                        "where": where(row.row),
                        "name": service.name,
                        "action": Action(service.action).label,
                    }
                )
            if row.suggestion and row.action == Action.NEW:
                org_id, label, score = row.suggestion
                self.stdout.write(
                    _(
                        "%(where)s: “%(name)s” looks like “%(label)s” (%(score)s%%); to merge, "
                        "add --confirm-match %(row)s=%(id)s"
                    )
                    % {
                        "where": where(row.row),
                        "name": row.name,
                        "label": label,
                        "score": score,
                        "row": row.row,
                        "id": org_id,
                    }
                )
        for message in plan.missing_columns:
            self.stderr.write(message)
        for problem in plan.errors:
            self.stderr.write(describe(problem))


def _parse_matches(values: list[str]) -> dict[int, int]:
    matches = {}
    for value in values:
        row, _sep, org = value.partition("=")
        if not (is_plain_integer(row) and is_plain_integer(org)):
            raise CommandError(
                _("--confirm-match takes ROW=ORGANISATION_ID, not “%(value)s”.") % {"value": value}
            )
        matches[int(row)] = int(org)
    return matches
