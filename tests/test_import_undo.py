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
