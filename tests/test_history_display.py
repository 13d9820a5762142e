"""The history page shows what changed as staff read it (choice labels, dates, "—" for
nothing, French headers), and a save that changes nothing records nothing."""

import re

import pytest
from django.urls import reverse

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from tests.test_crm_history import _change_url, _form_as_opened
from tests.test_crm_history import two_staff as two_staff  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def _history_page(client, organisation) -> str:
    address = reverse("admin:organisations_organisation_history", args=[organisation.pk])
    return client.get(address).content.decode()


def test_it_records_no_field_change_for_a_save_without_any_change(two_staff):
    client = two_staff["awa"]
    organisation = OrganisationFactory(staff_notes="Rappeler en mars.\nPrésidente : Awa.")
    form = _form_as_opened(client, organisation)
    form["staff_notes"] = "Rappeler en mars.\r\nPrésidente : Awa."  # as a browser sends it
    before = organisation.history.count()
    assert client.post(_change_url(organisation), form).status_code == 302
    assert organisation.history.count() == before
    organisation.refresh_from_db()
    assert organisation.version == 1
    assert "Notes" not in _history_page(client, organisation).split('id="part-changes"')[0]


def test_it_records_a_save_that_changes_one_field(two_staff):
    client = two_staff["awa"]
    organisation = OrganisationFactory(staff_notes="Rappeler en mars.")
    form = _form_as_opened(client, organisation)
    form["staff_notes"] = "Rappeler en avril."
    assert client.post(_change_url(organisation), form).status_code == 302
    saved = organisation.history.latest()
    changes = saved.diff_against(saved.prev_record, excluded_fields=["version"]).changes
    assert [change.field for change in changes] == ["staff_notes"]


def test_it_shows_choice_labels_and_dashes_not_raw_values(two_staff):
    client = two_staff["awa"]
    organisation = OrganisationFactory(budget_band=Organisation.BudgetBand.UNKNOWN)
    form = _form_as_opened(client, organisation)
    form["budget_band"] = Organisation.BudgetBand.FROM_5K_TO_100K
    assert client.post(_change_url(organisation), form).status_code == 302
    page = _history_page(client, organisation)
    label = str(Organisation.BudgetBand.FROM_5K_TO_100K.label)
    arrow = r"\s*&nbsp;&rarr;&nbsp;&nbsp;"
    assert re.search(rf"Budget annuel\u00a0:</strong>\s*Inconnu{arrow}{label}", page)
    assert "5k_100k" not in page
    assert "None" not in page
    assert "Changes" not in page and "CHANGES" not in page
    assert "Modifications" in page
    assert "Créée le" not in page
    assert "simple-history" not in page  # no template comment shown
