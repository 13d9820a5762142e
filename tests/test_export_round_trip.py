"""Issue 6's lossless round trip, on the Mali seed.

The full export (staff, every column) of the seed, imported with
exports/mappings/full_export.yaml into the same database once its organisations are
deleted (the catalogue — zones, typologies, themes, partners, networks, need categories,
sources — stays: README "Exports"), gives back the same organisations, field by field, with
the same zones, themes, contact channels and persons, networks, partners, needs, offices,
identifiers and other names; exporting again gives the same file, byte for byte.
"""

import datetime
from contextlib import nullcontext
from pathlib import Path

import pytest
from django.urls import reverse

from needs.models import NeedActivity, NeedCategory, OrganisationNeed
from networks.models import Membership, Network
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Office,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partner,
    Partnership,
    Zone,
)
from organisations.seed import load_mali_seed
from surveys.service import apply_import, load_mapping
from tests.export_world import PRIVATE_EMAIL, PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db

MAPPING = Path(__file__).resolve().parent.parent / "exports" / "mappings" / "full_export.yaml"
# Carried by no column of the export (README "Exports"): when and from which source each
# record came, and the bookkeeping columns; and its last verification, which the import
# records itself (each row it applies confirms the record).
NOT_EXPORTED = {"id", "created_at", "updated_at", "version", "verified_at", "verified_by"}


def export(client, fmt: str) -> bytes:
    return b"".join(client.get(reverse("exports:full", args=[fmt])).streaming_content)


def reimport(client, content: bytes, file_name: str = "export.xlsx", counting=None):
    """Delete every organisation, then import ``content`` with the full-export mapping."""
    Organisation.objects.all().delete()
    mapping = load_mapping(str(MAPPING))
    with counting or nullcontext():
        plan, _batch = apply_import(content, file_name, mapping, client.user)
    assert [row.errors for row in plan.rows if row.errors] == []
    return plan


def _by_org(model, *fields, order=None):
    grouped: dict[int, list] = {}
    rows = model.objects.order_by("organisation_id", *(order or fields))
    for org_id, *values in rows.values_list("organisation_id", *fields):
        grouped.setdefault(org_id, []).append(tuple(values))
    return grouped


def snapshot() -> dict[str, dict]:
    """Each organisation (by slug): its own fields and every part the export carries."""
    own = [f.attname for f in Organisation._meta.concrete_fields if f.name not in NOT_EXPORTED]
    parts = {
        "aliases": _by_org(OrganisationAlias, "name"),
        "zones": _by_org(OrganisationZone, "zone_id"),
        "themes": _by_org(OrganisationTheme, "theme_id"),
        "partners": _by_org(Partnership, "partner_id", "description"),
        "networks": _by_org(Membership, "network_id", "role", "since_year"),
        # In their order within each kind and visibility (as the columns list them).
        "channels": _by_org(
            ContactChannel,
            "kind",
            "is_public",
            "value",
            "label",
            "to_verify",
            "verification_note",
            order=["kind", "is_public", "position"],
        ),
        "offices": _by_org(Office, "kind", "address", "zone_id"),
        "persons": _by_org(
            ContactPerson,
            "name",
            "role",
            "phone",
            "phone_other",
            "email",
            "is_publishable",
            "consent_given_by",
            "consent_date",
            "notes",
        ),
        "needs": _by_org(
            OrganisationNeed,
            "category_id",
            "activity_id",
            "is_public",
            "priority",
            "status",
            "support_given",
            "support_partner_id",
            "support_date",
            "notes",
        ),
        "identifiers": _by_org(OrganisationIdentifier, "scheme", "value"),
    }
    return {
        values["slug"]: {
            **values,
            **{part: grouped.get(values["id"], []) for part, grouped in parts.items()},
            "id": None,
        }
        for values in Organisation.objects.values("id", *own)
    }


def plant_what_the_seed_lacks() -> None:
    """The seed has no contact persons, needs, identifiers or private values: add some, with
    cells that look like formulas, e-mails in capitals and names differing only by case.

    It stays whole: one fixture read top to bottom, each record next to the odd value it plants.
    """
    ame = Organisation.objects.get(slug="ame")
    aracem = Organisation.objects.get(slug="aracem")
    ame.status = Organisation.Status.ARCHIVED
    ame.description = "=1+1 n'est pas une formule ; -, et @ non plus"
    ame.save()
    OrganisationAlias.objects.create(organisation=ame, name=ame.name.upper())
    OrganisationAlias.objects.create(organisation=ame, name="Expulsés, Maliens (AME)")
    ContactChannel.objects.create(
        organisation=ame, kind="email", value="Direction.AME@Example.org", position=20
    )
    ContactChannel.objects.create(
        organisation=ame, kind="phone", value="+22376000001", is_public=False, position=21
    )
    ContactChannel.objects.create(
        organisation=ame, kind="email", value="Prive@Example.org", is_public=False, position=22
    )
    ContactChannel.objects.create(
        organisation=aracem, kind="social", value="https://facebook.com/aracem", position=23
    )
    ContactChannel.objects.create(
        organisation=aracem,
        kind="website",
        value="https://intranet.aracem.org",
        is_public=False,
        position=24,
    )
    ContactPerson.objects.create(
        organisation=ame,
        name="Ousmane Diarra",
        role="Président, fondateur",
        phone="+22376000000",
        email="O.Diarra@example.org",
        is_publishable=True,
        consent_given_by="Ousmane Diarra",
        consent_date=datetime.date(2024, 3, 1),
        notes="Accord oral, confirmé par écrit",
    )
    ContactPerson.objects.create(
        organisation=ame,
        name="Awa Traoré",
        role="Trésorière",
        phone="+22366000000",
        phone_other="+22376000002",
        notes="Ne pas publier",
    )
    # A namesake is another person.
    ContactPerson.objects.create(organisation=ame, name="Awa Traoré", role="Animatrice, Kayes")
    ContactPerson.objects.create(
        organisation=aracem,
        name="Moussa Keïta",
        is_publishable=True,
        consent_date=datetime.date(2024, 3, 2),
    )
    category = NeedCategory.objects.order_by("position").first()
    activity = NeedActivity.objects.filter(category=category).order_by("position").last()
    other = NeedCategory.objects.order_by("position").last()
    OrganisationNeed.objects.create(organisation=ame, category=category, is_public=True)
    OrganisationNeed.objects.create(
        organisation=ame, category=category, activity=activity, is_public=True
    )
    OrganisationNeed.objects.create(
        organisation=aracem,
        category=other,
        is_public=False,
        priority=OrganisationNeed.Priority.HIGH,
        status=OrganisationNeed.Status.MET,
        support_given="Formation de 10 animateurs",
        support_partner=Partner.objects.order_by("slug").first(),
        support_date=datetime.date(2025, 6, 30),
        notes="Deux sessions ; la seconde à Kayes",
    )
    OrganisationIdentifier.objects.create(organisation=ame, scheme="kobo-uuid", value="a1-b2")
    OrganisationIdentifier.objects.create(organisation=ame, scheme="rccm", value="MA-BKO-1996")
    bafoulabe = Zone.objects.get(name="Bafoulabé", level=Zone.Level.CERCLE)
    Office.objects.create(
        organisation=aracem,
        kind=Office.Kind.OFFICE,
        address="Quartier 1 | porte 2 ; cour",
        zone=None,
    )
    Office.objects.create(
        organisation=aracem, kind=Office.Kind.OFFICE, address="Bafoulabé centre", zone=bafoulabe
    )
    OrganisationZone.objects.create(organisation=aracem, zone=bafoulabe)
    Membership.objects.create(
        organisation=aracem,
        network=Network.objects.exclude(memberships__organisation=aracem).first(),
        role="Membre fondateur",
        since_year=2004,
    )
    ContactChannel.objects.filter(organisation=aracem, kind="social").update(
        label="Facebook", to_verify=True, verification_note="Page | à confirmer"
    )


def test_the_seed_comes_back_field_by_field_from_its_full_export(
    staff_client, django_assert_max_num_queries
):
    load_mali_seed()
    plant_what_the_seed_lacks()
    before = snapshot()
    assert len(before) > 20
    content = export(staff_client, "xlsx")

    # Preview and apply: catalogues, then one write per kind of record and of history rows
    # (79 on SQLite, 90 on PostgreSQL whose COPY statements Django does not see), never one
    # per organisation.
    plan = reimport(staff_client, content, counting=django_assert_max_num_queries(95))

    assert plan.counts["new"] == len(before)
    after = snapshot()
    assert sorted(after) == sorted(before)
    for slug, organisation in before.items():
        assert after[slug] == organisation, slug
    # What the planted values became, spelt out.
    ame = after["ame"]
    assert ame["status"] == Organisation.Status.ARCHIVED
    assert ame["description"] == "=1+1 n'est pas une formule ; -, et @ non plus"
    assert ("email", True, "Direction.AME@Example.org", "", False, "") in ame["channels"]
    assert ("phone", False, "+22376000001", "", False, "") in ame["channels"]
    assert ("Membre fondateur", 2004) in [n[1:] for n in after["aracem"]["networks"]]
    assert any(label == "Facebook" for _k, _p, _v, label, *_ in after["aracem"]["channels"])
    assert sum(bool(description) for p in after.values() for _i, description in p["partners"])
    assert any(name == "ASSOCIATION MALIENNE DES EXPULSÉS" for (name,) in ame["aliases"])
    # Every zone link points at the same zone at the same level.
    assert {z for part in after.values() for (z,) in part["zones"]} == {
        z for part in before.values() for (z,) in part["zones"]
    }


def test_exporting_again_gives_the_same_file(staff_client):
    load_mali_seed()
    plant_what_the_seed_lacks()
    first = export(staff_client, "csv")

    reimport(staff_client, export(staff_client, "xlsx"))

    assert export(staff_client, "csv") == first


def test_the_csv_export_round_trips_too(staff_client):
    load_mali_seed()
    plant_what_the_seed_lacks()
    before = snapshot()

    reimport(staff_client, export(staff_client, "csv"), "export.csv")

    assert snapshot() == before


def test_private_channels_come_back_private_never_public(staff_client):
    build_export_world()
    reimport(staff_client, export(staff_client, "xlsx"))
    private = ContactChannel.objects.filter(value__in=[PRIVATE_PHONE, PRIVATE_EMAIL])
    assert sorted(private.values_list("is_public", flat=True)) == [False, False]
    public = ContactChannel.objects.filter(is_public=True).values_list("value", flat=True)
    assert "+22320241122" in public
