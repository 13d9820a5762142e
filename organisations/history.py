"""The change history of an organisation's parts, for the admin's history page.

Each part (alias, zone link, phone, contact person, membership…) has its own
simple-history table; this gathers the rows that belong to one organisation and
names the fields each change touched, reading every table once.
"""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps

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


def part_changes(organisation_id: int) -> list[PartChange]:
    changes: list[PartChange] = []
    for app_label, model_name, label_path in PART_MODELS:
        model = apps.get_model(app_label, model_name)
        related = label_path.split(".")[0] if "." in label_path else None
        tracked = [f for f in model._meta.concrete_fields if f.name not in {"id", "organisation"}]
        rows = (
            model.history.filter(organisation_id=organisation_id)
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
