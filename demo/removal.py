"""Removing demo data: the demo organisations, everything hanging off them and the demo
catalogue entries and zones, table by table; and counting what is there."""

from django.db import models, transaction

from demo.catalogue import DEMO_SOURCE_CODE, DEMO_ZONE_CODE
from needs.models import NeedCategory, OrganisationNeed
from networks.models import Membership, Network
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Organisation,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Source,
    Theme,
    Typology,
    Zone,
)
from pagecache.stamp import directory_changed
from services.models import Service


class DemoDataError(Exception):
    pass


def delete_demo_data() -> int:
    """Remove the demo organisations, everything hanging off them and the demo catalogue entries.

    Rows are deleted table by table with one query each (no per-row signals, so no history
    rows are written for data that never had any); history rows of demo records go too.
    Returns how many organisations were removed.
    """
    source = Source.objects.filter(code=DEMO_SOURCE_CODE).first()
    if source is None:
        return 0
    with transaction.atomic():
        directory_changed()
        organisations = Organisation.objects.filter(source=source)
        removed = organisations.count()
        _delete_with_dependants(organisations)
        for model in (Network, Partner, Theme, Typology, NeedCategory):
            _delete_with_dependants(model.objects.filter(source=source))
        _delete_demo_zones()
        if not _still_used(source):
            _delete_with_dependants(Source.objects.filter(pk=source.pk))
    return removed


def _delete_with_dependants(queryset: models.QuerySet) -> None:
    model = queryset.model
    for relation in model._meta.many_to_many:
        _delete_own_many_to_many_rows(relation, queryset)
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            _delete_many_to_many_rows(relation, queryset)
            continue
        dependants = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": queryset.values("pk")}
        )
        on_delete = relation.on_delete
        if on_delete is models.CASCADE:
            _delete_with_dependants(dependants)
        elif on_delete is models.SET_NULL:
            dependants.update(**{relation.field.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT) and dependants.exists():
            raise DemoDataError(
                f"{dependants.count()} {relation.related_model._meta.verbose_name_plural} "
                f"that are not demo data still use demo {model._meta.verbose_name_plural}."
            )
    history = getattr(model, "history", None)
    if history is not None:
        history.filter(**{f"{model._meta.pk.attname}__in": queryset.values("pk")}).delete()
    queryset._raw_delete(queryset.db)


def _delete_many_to_many_rows(relation, queryset: models.QuerySet) -> None:
    """Rows of an automatic many-to-many table (a network's countries) that name a deleted row."""
    through = relation.through
    if not through._meta.auto_created:
        return  # an explicit through model is reached by its own foreign key
    column = next(
        f.name for f in through._meta.fields if f.is_relation and f.related_model is queryset.model
    )
    rows = through._base_manager.filter(**{f"{column}__in": queryset.values("pk")})
    rows._raw_delete(rows.db)


def _delete_own_many_to_many_rows(relation, queryset: models.QuerySet) -> None:
    """Rows of an automatic many-to-many table of the deleted rows themselves (a service's
    zones, languages…)."""
    through = relation.remote_field.through
    if not through._meta.auto_created:
        return
    column = relation.m2m_field_name()
    rows = through._base_manager.filter(**{f"{column}__in": queryset.values("pk")})
    rows._raw_delete(rows.db)


def _delete_demo_zones() -> None:
    by_depth: dict[int, list[int]] = {}
    for pk, path in Zone.objects.filter(official_code=DEMO_ZONE_CODE).values_list("pk", "path"):
        by_depth.setdefault(path.count("/"), []).append(pk)
    # Deepest first: a zone protects its children.
    for depth in sorted(by_depth, reverse=True):
        _delete_with_dependants(Zone.objects.filter(pk__in=by_depth[depth]))


def _still_used(source: Source) -> bool:
    return any(
        relation.related_model._base_manager.filter(**{relation.field.name: source}).exists()
        for relation in Source._meta.related_objects
    )


# The parts generated with each organisation; they carry no source of their own.
DEMO_PARTS = (
    OrganisationZone,
    OrganisationTheme,
    Membership,
    Partnership,
    OrganisationNeed,
    ContactChannel,
    ContactPerson,
    Service,
)


def demo_row_counts() -> dict[str, int]:
    """How many demo organisations, and parts of them, the database holds."""
    organisations = Organisation.objects.filter(source__code=DEMO_SOURCE_CODE)
    counts = {str(Organisation._meta.verbose_name_plural): organisations.count()}
    for model in DEMO_PARTS:
        parts = model.objects.filter(organisation__in=organisations.values("pk"))
        counts[str(model._meta.verbose_name_plural)] = parts.count()
    return counts
