"""Plan data: what each row of a survey file would change, and the whole plan."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy, pgettext_lazy

from surveys.mapping import Mapping
from surveys.models import ImportBatch
from surveys.reading import SurveyFile

OnExisting = ImportBatch.OnExisting


class Action(TextChoices):
    NEW = "new", pgettext_lazy("import row", "New")
    UPDATE = "update", pgettext_lazy("import row", "Update")
    UNCHANGED = "unchanged", pgettext_lazy("import row", "Unchanged")
    SKIPPED = "skipped", pgettext_lazy("import row", "Skipped (exists)")
    ERROR = "error", pgettext_lazy("import row", "Error")


class Note(str):
    """A remark on a row (a value kept as written, a zone read at a level…): its text, as
    the preview shows it, and its kind (a key of NOTE_KINDS), by which previews count them.

    A file of 100,000 rows has as many notes: the kind is the class's (one subclass per
    kind), not an attribute of each note, which would give every note a dictionary.
    """

    __slots__ = ()
    kind: str = ""

    def __new__(cls, kind: str, text: str) -> "Note":
        return str.__new__(_note_class(kind), text)


@cache
def _note_class(kind: str) -> type[Note]:
    return type(f"Note[{kind}]", (Note,), {"__slots__": (), "kind": kind})


NOTE_KINDS = {
    "phone": gettext_lazy("Phones kept as written, to verify"),
    "email": gettext_lazy("E-mails kept as written, to verify"),
    "website": gettext_lazy("Web sites kept as written, to verify"),
    "social": gettext_lazy("Social media addresses kept as written, to verify"),
    "zone": gettext_lazy("Zones named at several levels, read at the highest"),
    "contact_unnamed": gettext_lazy("Contact persons without a name, not imported"),
    "contact_private": gettext_lazy("Contact persons without a consent date, kept private"),
    "service_unnamed": gettext_lazy("Services without a name, not imported"),
}


@dataclass(slots=True)
class Problem:
    row: int
    column: int | None
    header: str
    message: str


@dataclass(slots=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


class Describer(Protocol):
    """Words what a row changes and adds, for the preview (surveys.planning.labels)."""

    def changes(self, row: "RowPlan") -> list[FieldChange]: ...

    def added(self, row: "RowPlan") -> list[str]: ...


@dataclass(slots=True)
class RowPlan:
    """One row: what it writes, and why not when it cannot be imported.

    A file may have 100,000 rows: a row keeps what is written (values, links) and the
    preview's wording (``changes``, ``added``) is worked out when shown; its cells are
    kept only while it is in error (to be written out again).
    """

    row: int
    cells: list[str]
    name: str = ""
    action: str = Action.NEW
    organisation_id: int | None = None
    match_reason: str = ""
    suggestion: tuple[int, str, int] | None = None
    # Scalar fields to set (attname -> value), and for a matched organisation the values
    # they replace.
    values: dict = field(default_factory=dict)
    old_values: dict | None = None
    # Parts to add: zones/themes/partners/networks (ids, or ("new", key) for a creation),
    # aliases (names), channels (kind, value, to_verify, note), contacts (dicts), identifier.
    links: dict = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    search_text: str = ""
    # Set once the row is decided (not for rows in error or skipped).
    describer: Describer | None = None

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label)

    @property
    def changes(self) -> list[FieldChange]:
        """Field by field, what the row changes."""
        return self.describer.changes(self) if self.describer else []

    @property
    def added(self) -> list[str]:
        """What the row adds (zones, themes, channels, contacts…), as the preview says it."""
        return self.describer.added(self) if self.describer else []


@dataclass
class ImportPlan:
    mapping: Mapping
    survey: SurveyFile
    rows: list[RowPlan]
    unknown_columns: list[str]
    creations: dict[str, dict[str, str]]
    on_existing: str
    # Rows of the repeat sheet whose _parent_index names no submission: listed, not dropped.
    orphan_contacts: list[int] = field(default_factory=list)
    # Columns the mapping names and the file lacks (what is wrong with each): errors that
    # belong to no row, and stop the import as row errors do.
    missing_columns: list[str] = field(default_factory=list)
    # Rows of a services sheet whose _parent_index names no submission, likewise.
    orphan_services: list[int] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted.get(action, 0) for action in Action.values}

    @property
    def note_counts(self) -> list[tuple[str, int]]:
        """(what the notes say, how many) by kind, in NOTE_KINDS order."""
        counted = Counter(note.kind for row in self.rows for note in row.notes)
        return [(str(label), counted[kind]) for kind, label in NOTE_KINDS.items() if counted[kind]]

    @property
    def errors(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.errors]

    @property
    def has_errors(self) -> bool:
        return bool(self.missing_columns) or any(row.errors for row in self.rows)

    @property
    def suggestions(self) -> list[RowPlan]:
        return [row for row in self.rows if row.suggestion and row.action == Action.NEW]

    @property
    def headers(self) -> list[str]:
        return self.survey.main.headers

    def fingerprint(self) -> str:
        """Digest of what the plan would write, to tell whether the directory moved since
        the preview."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(repr((row.row, row.action, row.organisation_id, row.values)).encode())
            digest.update(
                repr((row.links, row.suggestion, [p.message for p in row.errors])).encode()
            )
        digest.update(repr(self.missing_columns).encode())
        return digest.hexdigest()
