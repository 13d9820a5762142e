"""The change history of an organisation's parts, for the admin's history page.

Each part (alias, zone link, phone, contact person, membership…) has its own
simple-history table; this gathers the rows that belong to one organisation and
names the fields each change touched, reading every table once.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

# The parts that carry an ``organisation`` foreign key, with the attribute path that
# names one of them in the list (related rows are fetched with select_related).
PART_MODELS = [
    ("organisations", "OrganisationAlias", "name"),
    ("organisations", "OrganisationIdentifier", "value"),
    ("organisations", "OrganisationZone", "zone.name"),
    ("organisations", "OrganisationTheme", "theme.name"),
    ("organisations", "Partnership", "partner.name"),
    ("organisations", "Office", "address"),
    ("organisations", "ContactChannel", "value"),
    ("organisations", "ContactPerson", "name"),
    ("networks", "Membership", "network.name"),
    ("needs", "OrganisationNeed", "category.name"),
    ("services", "Service", "name"),
    ("crm", "Interaction", "summary"),
    ("crm", "Assignment", "user.username"),
]

_CHANGE_LABELS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class PartChange:
    date: datetime
    user: object
    part_type: str
    part: str
    change: str
    fields: list[str]


def part_changes(organisation_id: int, since: datetime | None = None) -> list[PartChange]:
    """Changes to the organisation's parts (from ``since`` on), newest first.

    A part moved here from another record (a merge) brings its whole history: rows
    are taken by the part's current owner as well as by the owner they recorded.
    """
    changes: list[PartChange] = []
    for app_label, model_name, label_path in PART_MODELS:
        model = apps.get_model(app_label, model_name)
        related = label_path.split(".")[0] if "." in label_path else None
        tracked = [f for f in model._meta.concrete_fields if f.name not in {"id", "organisation"}]
        owned_now = model.objects.filter(organisation_id=organisation_id).values("pk")
        rows = (
            model.history.filter(Q(organisation_id=organisation_id) | Q(id__in=owned_now))
            .select_related("history_user", *([related] if related else []))
            .order_by("id", "history_date", "history_id")
        )
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            if row.history_type == "~" and before is not None:
                fields = [
                    str(f.verbose_name)
                    for f in tracked
                    if getattr(row, f.attname) != getattr(before, f.attname)
                ]
            else:
                fields = []
            previous[row.id] = row
            if since is not None and row.history_date < since:
                continue
            changes.append(
                PartChange(
                    date=row.history_date,
                    user=row.history_user,
                    part_type=str(model._meta.verbose_name),
                    part=_label(row, label_path),
                    change=_CHANGE_LABELS.get(row.history_type, row.history_type),
                    fields=fields,
                )
            )
    changes.sort(key=lambda change: change.date, reverse=True)
    return changes


def _label(row, label_path: str) -> str:
    value = row
    for attribute in label_path.split("."):
        value = getattr(value, attribute, None)
        if value is None:
            return "?"
    return str(value)[:80]


@dataclass
class FieldChange:
    field: str
    old: object
    new: object


@dataclass
class ChangesSince:
    """What was saved on an organisation after a given version."""

    users: list[str]
    last_saved: datetime | None
    fields: list[FieldChange]
    parts: list[PartChange]


def changes_since(organisation, version: int) -> ChangesSince:
    """The edits saved after ``version``: who, when, which fields (old and new values)."""
    later = list(
        organisation.history.filter(version__gt=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    seen = organisation.history.filter(version=version).order_by("-history_date").first()
    fields: list[FieldChange] = []
    if seen is not None and later:
        delta = later[-1].diff_against(seen, foreign_keys_are_objs=True)
        by_name = {f.name: f for f in organisation._meta.fields}
        fields = [
            FieldChange(
                str(by_name[c.field].verbose_name),
                _readable(by_name[c.field], c.old),
                _readable(by_name[c.field], c.new),
            )
            for c in delta.changes
            if c.field in by_name
        ]
    users = sorted({str(row.history_user) for row in later if row.history_user})
    return ChangesSince(
        users=users,
        last_saved=later[-1].history_date if later else None,
        fields=fields,
        # The admin saves the organisation, then its parts: parts changed by a later
        # save are dated from that save's own history row on.
        parts=part_changes(organisation.pk, since=later[0].history_date) if later else [],
    )


def _readable(field, value):
    """A choice's label rather than its code ("Published", not "published")."""
    if field.choices and value is not None:
        return dict(field.flatchoices).get(value, value)
    return value


class ReadableHistory(HistoricalRecordContextHelper):
    """The admin's history list shows values as staff read them: a choice's label, a date in
    the page's language, "—" for nothing (not "unknown → 5k_100k" nor "None")."""

    NOTHING = "—"

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return self.NOTHING
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, date):
            return date_format(value, "DATE_FORMAT")
        return super().prepare_delta_change_value(change, value)
