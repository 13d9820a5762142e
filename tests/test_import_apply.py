"""Applying an import: the choice for existing records, all or nothing, history, queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.factories import OrganisationFactory, OrganisationIdentifierFactory
from organisations.models import Organisation, OrganisationZone
from surveys.applying import PlanHasErrors, apply_plan
from surveys.models import ImportBatch
from surveys.service import apply_import, file_checksum, preview_import
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)


@pytest.fixture
def existing(world):
    """An organisation the survey also describes, with some fields empty and one different."""
    org = OrganisationFactory(
        name="Association Malienne des Expulsés",
        acronym="AME",
        typology=None,
        year_founded=None,
        description="Texte saisi par l'équipe.",
        budget_band="unknown",
        status="published",
    )
    OrganisationIdentifierFactory(
        organisation=org, scheme="kobo-uuid", value=EXAMPLE_SUBMISSIONS[0]["_uuid"]
    )
    return org


def _apply(mapping, on_existing, submissions=EXAMPLE_SUBMISSIONS):
    return apply_import(
        reference_export(submissions), "kobo.xlsx", mapping, None, on_existing=on_existing
    )


def test_skip_leaves_existing_organisations_untouched(mapping, existing):
    plan, batch = _apply(mapping, "skip")

    assert plan.rows[0].action == "skipped"
    existing.refresh_from_db()
    assert (existing.year_founded, existing.description, existing.version) == (
        None,
        "Texte saisi par l'équipe.",
        1,
    )
    assert existing.zones.count() == 0
    assert batch.counts == {"new": 2, "update": 0, "unchanged": 0, "skipped": 1, "error": 0}


def test_fill_completes_empty_fields_only(mapping, existing, world):
    plan, _batch = _apply(mapping, "fill")

    row = plan.rows[0]
    assert row.action == "update"
    changed = {change.field: (change.old, change.new) for change in row.changes}
    assert changed["year_founded"] == ("", "1996")
    assert changed["budget_band"] == ("Unknown", "€5,000 to €100,000")
    assert "description" not in changed
    existing.refresh_from_db()
    assert existing.year_founded == 1996
    assert existing.typology == world["typologies"]["associations-ong-nationales"]
    assert existing.description == "Texte saisi par l'équipe."
    assert existing.status == "published"
    assert existing.version == 2
    assert sorted(existing.zones.values_list("name", flat=True)) == ["Bamako", "Kayes"]
    # Name, acronym, description, the new other name and the zones, as save() folds them.
    assert existing.search_text == existing.build_search_text()
    assert existing.search_text.startswith(
        "association malienne des expulses ame texte saisi par l equipe "
        "association des maliens expulses "
    )


def test_overwrite_replaces_with_the_file_values(mapping, existing):
    plan, _batch = _apply(mapping, "overwrite")

    changed = {change.field: (change.old, change.new) for change in plan.rows[0].changes}
    assert changed["description"] == (
        "Texte saisi par l'équipe.",
        "Créée par des Maliens expulsés pour défendre leurs droits.",
    )
    existing.refresh_from_db()
    assert existing.description == "Créée par des Maliens expulsés pour défendre leurs droits."
    # Empty cells never erase what is stored.
    assert existing.acronym == "AME"


def test_importing_the_same_file_twice_changes_nothing_the_second_time(mapping, world):
    _apply(mapping, "overwrite")
    counts = {model: model.objects.count() for model in (Organisation, OrganisationZone)}

    plan, batch = _apply(mapping, "overwrite")

    assert [row.action for row in plan.rows] == ["unchanged"] * 3
    assert {model: model.objects.count() for model in counts} == counts
    assert batch.created == {}


def test_an_error_in_the_last_row_leaves_the_database_unchanged(mapping, existing):
    submissions = [
        *EXAMPLE_SUBMISSIONS,
        {"identification/nom_osc": "Z", "activites/zones": "Atlantis"},
    ]
    before = list(Organisation.objects.values())

    plan = preview_import(reference_export(submissions), "kobo.xlsx", mapping)
    assert [row.action for row in plan.rows] == ["update", "new", "new", "error"]
    with pytest.raises(PlanHasErrors):
        apply_plan(plan, mapping=mapping, user=None, file_name="kobo.xlsx", checksum="x")

    assert list(Organisation.objects.values()) == before
    assert ImportBatch.objects.count() == 0
    assert OrganisationZone.objects.count() == 0


def test_a_database_failure_mid_import_rolls_everything_back(mapping, world, monkeypatch):
    from surveys import applying

    plan = preview_import(reference_export(EXAMPLE_SUBMISSIONS), "kobo.xlsx", mapping)

    def broken(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(applying._Writer, "write_links", broken)
    with pytest.raises(RuntimeError):
        apply_plan(plan, mapping=mapping, user=None, file_name="kobo.xlsx", checksum="x")

    assert Organisation.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_the_import_is_recorded_and_shows_in_the_history(mapping, existing, django_user_model):
    user = django_user_model.objects.create(username="awa")
    content = reference_export(EXAMPLE_SUBMISSIONS)
    _plan, batch = apply_import(content, "enquête.xlsx", mapping, user)

    assert (batch.user, batch.file_name, batch.checksum) == (
        user,
        "enquête.xlsx",
        file_checksum(content),
    )
    assert batch.mapping == mapping
    assert batch.source.kind == "survey"
    new = Organisation.objects.get(acronym="ARDD")
    created = new.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        user,
        f"Survey import #{batch.pk}: enquête.xlsx",
    )
    latest = existing.history.order_by("-history_id").first()
    assert (latest.history_type, latest.year_founded, latest.history_user) == ("~", 1996, user)
    zone_history = OrganisationZone.history.filter(organisation_id=new.pk).get()
    assert zone_history.history_type == "+"


def test_search_text_is_what_save_would_compute(mapping, world):
    _apply(mapping, "fill")
    for org in Organisation.objects.all():
        assert org.search_text == org.build_search_text()


def _many(count, offset=0):
    return [
        {
            "identification/nom_osc": f"Association numéro {offset + n}",
            "identification/telephones": f"76 00 {n // 100:02d} {n % 100:02d}",
            "identification/emails": f"osc{offset + n}@example.org",
            "activites/zones": "Kayes; Bamako",
            "activites/themes": "retour transit",
            "experience/partenaires": "UE",
            "experience/reseaux": "FAM",
            "_uuid": f"uuid-{offset + n}",
            "contacts": [(f"Personne {n}", "Président", "", "")],
        }
        for n in range(count)
    ]


@pytest.mark.parametrize("rows", [5, 60])
def test_preview_and_apply_take_the_same_number_of_queries_for_5_or_60_rows(
    mapping, world, django_assert_max_num_queries, rows
):
    OrganisationFactory(name="Association numéro 1")
    content = reference_export(_many(rows))

    # Catalogues (5), organisations and their keys (4), the matched one's parts (9).
    with django_assert_max_num_queries(20):
        plan = preview_import(content, "kobo.xlsx", mapping)
    assert plan.counts["new"] == rows - 1
    # The same preview again, then one insert per kind of record and one for its history
    # rows (on PostgreSQL a COPY each, which Django does not see: counted by the import,
    # with one query per kind to draw the new ids).
    with django_assert_max_num_queries(60):
        _plan, batch = apply_import(content, "kobo.xlsx", mapping, None)
    assert batch.copy_statements <= 17
    assert Organisation.objects.count() == rows


def test_apply_queries_grow_by_batches_not_by_rows(mapping, world):
    def queries(count, offset):
        content = reference_export(_many(count, offset))
        with CaptureQueriesContext(connection) as captured:
            apply_import(content, "kobo.xlsx", mapping, None)
        return len(captured)

    few, many = queries(5, 0), queries(80, 1000)
    # 75 more rows write ~1,000 more records; only SQLite's 999-parameter limit splits
    # the inserts into a few more batches.
    assert many - few <= 10


def test_databases_that_cannot_return_new_ids_use_djangos_bulk_writes(
    mapping, existing, monkeypatch
):
    # SQLite before 3.35 has no INSERT … RETURNING.
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    _plan, batch = _apply(mapping, "fill")

    new = Organisation.objects.get(acronym="ARDD")
    assert new.zones.count() == 1
    assert new.contact_persons.count() == 2
    assert new.history.get().history_type == "+"
    existing.refresh_from_db()
    assert existing.year_founded == 1996
    assert existing.history.latest("history_id").history_type == "~"
    assert sorted(batch.created) == sorted(
        [
            "organisations.Organisation",
            "organisations.OrganisationZone",
            "organisations.OrganisationTheme",
            "organisations.Partnership",
            "organisations.OrganisationAlias",
            "organisations.ContactChannel",
            "organisations.ContactPerson",
            "organisations.OrganisationIdentifier",
            # The mapping's source, created by this import (undo removes it).
            "organisations.Source",
        ]
    )


def test_an_import_takes_at_most_a_tenth_of_a_query_per_row(
    mapping, world, django_assert_max_num_queries
):
    """Issue 16's bound: preview, and apply (which plans again), 0.1 queries per row each."""
    rows = 600
    OrganisationFactory(name="Association numéro 1")
    content = reference_export(_many(rows))

    with django_assert_max_num_queries(rows // 10):
        plan = preview_import(content, "kobo.xlsx", mapping)
    assert plan.counts["new"] == rows - 1
    with django_assert_max_num_queries(rows // 10):
        _plan, batch = apply_import(content, "kobo.xlsx", mapping, None)
    assert Organisation.objects.count() == rows
    assert batch.rows_applied == rows


def test_rows_written_in_chunks_get_each_their_own_parts(mapping, existing, monkeypatch):
    """The apply builds its records a few rows at a time: chunk edges lose nothing."""
    from surveys import applying

    monkeypatch.setattr(applying, "CHUNK_ROWS", 2)
    submissions = [*EXAMPLE_SUBMISSIONS, *_many(4)]

    _plan, batch = _apply(mapping, "fill", submissions)

    assert Organisation.objects.count() == 7
    for number in range(4):
        org = Organisation.objects.get(name=f"Association numéro {number}")
        assert sorted(org.zones.values_list("name", flat=True)) == ["Bamako", "Kayes"]
        assert list(org.contact_persons.values_list("name", flat=True)) == [f"Personne {number}"]
        assert list(org.identifiers.values_list("value", flat=True)) == [f"uuid-{number}"]
    existing.refresh_from_db()
    assert existing.year_founded == 1996
    assert Organisation.objects.get(acronym="ARDD").contact_persons.count() == 2
    assert batch.counts == {"new": 6, "update": 1, "unchanged": 0, "skipped": 0, "error": 0}
