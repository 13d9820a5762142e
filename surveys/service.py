"""The one code path the admin pages and ``manage.py import_survey`` share."""

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.formulas import neutralise
from surveys.applying import apply_plan
from surveys.mapping import CREATABLE, MappingError, parse_mapping
from surveys.models import ImportBatch, ImportMapping
from surveys.planning.build import build_plan
from surveys.planning.plan import ImportPlan
from surveys.reading import read_survey_file


def file_checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def load_mapping(reference: str) -> ImportMapping:
    """A saved mapping by its code, or a YAML/JSON file saved (or updated) under its name."""
    path = Path(reference)
    if path.suffix.lower() in {".yaml", ".yml", ".json"}:
        try:
            definition = path.read_text(encoding="utf-8")
        except OSError:
            raise MappingError(
                _("Cannot read the mapping file %(path)s.") % {"path": path}
            ) from None
        parsed = parse_mapping(definition)
        mapping, _created = ImportMapping.objects.update_or_create(
            slug=slugify(path.stem)[:80],
            defaults={"name": parsed.name or path.stem, "definition": definition},
        )
        return mapping
    mapping = ImportMapping.objects.filter(slug=reference).first()
    if mapping is None:
        raise MappingError(_("No saved mapping has the code “%(code)s”.") % {"code": reference})
    return mapping


def preview_import(
    content: bytes,
    file_name: str,
    mapping: ImportMapping,
    on_existing: str = ImportBatch.OnExisting.FILL,
    allow_create: tuple[str, ...] = (),
    confirmed_matches: dict[int, int] | None = None,
) -> ImportPlan:
    """Read the file and plan every row. Raises FileRejected or MappingError."""
    survey = read_survey_file(content, file_name)
    return build_plan(
        survey,
        mapping.parsed(),
        on_existing=on_existing,
        allow_create=tuple(kind for kind in allow_create if kind in CREATABLE),
        confirmed_matches=confirmed_matches,
    )


class PlanChanged(Exception):
    """The directory changed between the preview and the confirmation."""


def apply_import(
    content: bytes,
    file_name: str,
    mapping: ImportMapping,
    user,
    on_existing: str = ImportBatch.OnExisting.FILL,
    allow_create: tuple[str, ...] = (),
    confirmed_matches: dict[int, int] | None = None,
    previewed: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ImportPlan, ImportBatch]:
    """Plan again and apply, all or nothing.

    ``previewed`` is the fingerprint of the plan the user saw: if the directory moved
    since (someone else imported or edited), nothing is written and PlanChanged is raised.
    """
    plan = preview_import(content, file_name, mapping, on_existing, allow_create)
    if previewed and plan.fingerprint() != previewed:
        raise PlanChanged(
            _("The directory changed since the preview; check the new preview and confirm again.")
        )
    if confirmed_matches:
        plan = preview_import(
            content, file_name, mapping, on_existing, allow_create, confirmed_matches
        )
    batch = apply_plan(
        plan,
        mapping=mapping,
        user=user,
        file_name=file_name,
        checksum=file_checksum(content),
        allow_create=allow_create,
        progress=progress,
    )
    return plan, batch


def error_rows_csv(plan: ImportPlan) -> bytes:
    """The rows in error as the file had them, plus a column that says what is wrong.

    Written for French Excel (UTF-8 with BOM, ";"), so it can be fixed and imported again.
    """
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    writer.writerow([_("row"), *plan.headers, _("errors")])
    for row in plan.rows:
        if not row.errors:
            continue
        reasons = " | ".join(
            _("column %(column)s (%(header)s): %(message)s")
            % {"column": p.column, "header": p.header, "message": p.message}
            if p.column
            else p.message
            for p in row.errors
        )
        cells = row.cells + [""] * (len(plan.headers) - len(row.cells))
        writer.writerow([row.row, *map(neutralise, cells), reasons])
    return ("\ufeff" + output.getvalue()).encode("utf-8")
