"""The French admin names the product and its parts in French: no "Django" in the titles, no
raw English app or model names, no "l' objet"."""

import re

import pytest

from organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

RAW_NAMES = ["Tasks Database Backend", "Task Results", "Axes", "AXES", "Django", "l' objet"]


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def test_the_admin_home_names_every_app_in_french(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert _title(page).endswith("| Annuaire OSC Migrations")
    assert "Tâches en arrière-plan" in page
    assert "Résultats de tâches" in page
    assert "Tentatives de connexion" in page
    assert not [name for name in RAW_NAMES if name in page]


def test_the_revert_page_speaks_french(staff_client):
    organisation = OrganisationFactory(name="Association Jeunesse Kayes")
    version = organisation.history.latest()
    address = f"/admin/organisations/organisation/{organisation.pk}/history/{version.pk}/"
    page = staff_client.get(address).content.decode()
    assert "revenir à cette version de l’objet" in page
    assert not [name for name in RAW_NAMES if name in page]


def test_a_change_list_title_names_the_product(staff_client):
    page = staff_client.get("/admin/organisations/organisation/").content.decode()
    assert _title(page).endswith("| Annuaire OSC Migrations")
