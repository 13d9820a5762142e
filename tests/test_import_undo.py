"""Undoing an import restores the directory exactly, unless someone edited it since."""

import pytest

from networks.models import Membership, Network
from organisations.factories import OrganisationFactory, OrganisationIdentifierFactory
from organisations.models import (
    ContactChannel,
    ContactPerson,
    Organisation,
    OrganisationAlias,
    OrganisationIdentifier,
    OrganisationTheme,
    OrganisationZone,
    Partnership,
)
from surveys.id_runs import add_ids, all_ids, count_ids
from surveys.models import ImportBatch
from surveys.service import apply_import
from surveys.undoing import UndoRefused, undo_batch
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)

PART_MODELS = [
    OrganisationZone,
    OrganisationTheme,
    Partnership,
    Membership,
    OrganisationAlias,
    ContactChannel,
    ContactPerson,
    OrganisationIdentifier,
    Network,
]
# Bookkeeping that moves on with every save, by design.
MOVING = {"version", "updated_at"}


def _snapshot():
    organisations = [
        {k: v for k, v in row.items() if k not in MOVING}
        for row in Organisation.objects.order_by("pk").values()
    ]
    parts = {model: list(model.objects.order_by("pk").values()) for model in PART_MODELS}
    return organisations, parts


@pytest.fixture
def existing(world):
    org = OrganisationFactory(
        name="Association Malienne des Expulsés", acronym="AME", year_founded=None, typology=None
    )
    org.zones.add(world["bamako"])
    org.refresh_search_text()
    OrganisationIdentifierFactory(
        organisation=org, scheme="kobo-uuid", value=EXAMPLE_SUBMISSIONS[0]["_uuid"]
    )
    return org


def _import(mapping, user, **options):
    submissions = [
        *EXAMPLE_SUBMISSIONS,
        {"identification/nom_osc": "Association B", "experience/reseaux": "Réseau Nouveau"},
    ]
    content = reference_export(submissions)
    return apply_import(content, "kobo.xlsx", mapping, user, allow_create=("networks",), **options)[
        1
    ]


@pytest.mark.parametrize("on_existing", ["fill", "overwrite"])
def test_undo_restores_the_exact_previous_state(mapping, existing, django_user_model, on_existing):
    user = django_user_model.objects.create(username="awa")
    before = _snapshot()
    batch = _import(mapping, user, on_existing=on_existing)
    assert _snapshot() != before

    undo_batch(batch, user)

    assert _snapshot() == before
    batch.refresh_from_db()
    assert (batch.status, batch.undone_by) == ("undone", user)


def test_the_ids_kept_for_undo_are_runs_of_consecutive_ids(mapping, existing, django_user_model):
    batch = _import(mapping, django_user_model.objects.create(username="awa"))

    created = sorted(Organisation.objects.exclude(pk=existing.pk).values_list("pk", flat=True))
    assert created == [created[0], created[0] + 1, created[0] + 2]
    batch.refresh_from_db()
    assert batch.created["organisations.Organisation"] == [[created[0], created[0] + 2]]
    assert batch.created_ids("organisations.Organisation") == created
    assert batch.created_counts()["organisations.Organisation"] == 3
    assert batch.created_counts()["organisations.ContactPerson"] == 3


def test_an_import_that_kept_every_id_in_a_list_still_undoes(mapping, existing, django_user_model):
    """Imports applied before the ids were kept as runs listed every id: undo reads both."""
    user = django_user_model.objects.create(username="awa")
    before = _snapshot()
    batch = _import(mapping, user)
    old_form = {label: batch.created_ids(label) for label in batch.created}
    ImportBatch.objects.filter(pk=batch.pk).update(created=old_form)
    batch.refresh_from_db()
    assert all(isinstance(pk, int) for ids in batch.created.values() for pk in ids)

    undo_batch(batch, user)

    assert _snapshot() == before
    assert not Network.objects.filter(name="Réseau Nouveau").exists()


@pytest.mark.parametrize(
    "ids, runs",
    [
        ([], []),
        ([7], [7]),
        ([7, 8, 9], [[7, 9]]),
        ([7, 9, 10, 12], [7, [9, 10], 12]),
        ([5, 4], [5, 4]),
    ],
)
def test_ids_are_kept_as_runs_and_read_back_in_their_order(ids, runs):
    kept = []
    add_ids(kept, ids)

    assert kept == runs
    assert all_ids(kept) == ids
    assert count_ids(kept) == len(ids)


def test_ids_added_later_extend_the_last_run():
    kept = [3, [5, 6]]

    add_ids(kept, [7, 8])
    add_ids(kept, [9])
    add_ids(kept, [11])

    assert kept == [3, [5, 9], 11]


def test_undo_is_recorded_in_the_history(mapping, existing, django_user_model):
    user = django_user_model.objects.create(username="awa")
    batch = _import(mapping, user)
    new_id = Organisation.objects.get(acronym="ARDD").pk

    undo_batch(batch, user)

    reason = f"Undo of survey import #{batch.pk}"
    assert Organisation.history.filter(id=new_id).latest("history_id").history_type == "-"
    restored = existing.history.latest("history_id")
    assert (restored.history_type, restored.year_founded, restored.history_change_reason) == (
        "~",
        None,
        reason,
    )
    deleted_zones = OrganisationZone.history.filter(history_type="-", history_user=user)
    # Kayes for AME (Bamako it had already), Diéma for ARDD, Kayes for the third.
    assert deleted_zones.count() == 3


def test_undo_is_refused_when_a_later_edit_touched_an_imported_record(mapping, existing):
    batch = _import(mapping, None)
    ardd = Organisation.objects.get(acronym="ARDD")
    ardd.description = "Edited by staff after the import."
    ardd.save()
    before = _snapshot()

    with pytest.raises(UndoRefused) as refused:
        undo_batch(batch, None)

    assert refused.value.reasons == [
        "“Association des Ressortissants de Diéma pour le Développement” was edited after "
        "this import."
    ]
    assert _snapshot() == before
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_undo_is_refused_when_a_part_was_added_to_an_imported_organisation(mapping, existing):
    batch = _import(mapping, None)
    ardd = Organisation.objects.get(acronym="ARDD")
    ContactChannel.objects.create(organisation=ardd, kind="email", value="new@ardd.org")

    with pytest.raises(UndoRefused) as refused:
        undo_batch(batch, None)
    assert "Association des Ressortissants de Diéma" in refused.value.reasons[0]


def test_undo_twice_is_refused(mapping, existing):
    batch = _import(mapping, None)
    undo_batch(batch, None)
    with pytest.raises(UndoRefused) as refused:
        undo_batch(batch, None)
    assert refused.value.reasons == ["This import was already undone."]
