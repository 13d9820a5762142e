"""Services: the catalogues, who sees them, the places they serve, their admin and seed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from organisations import factories as org_factories
from organisations.models import Organisation
from organisations.seed import load_mali_seed
from services.factories import ScheduleFactory, ServiceFactory
from services.models import Language, PopulationGroup, Schedule, Service
from services.visibility import visible_services
from tests.test_admin import _organisation_form

pytestmark = pytest.mark.django_db


def test_it_ships_the_catalogues_of_people_served_and_languages():
    assert list(PopulationGroup.objects.values_list("name_en", flat=True)) == [
        "Returnees",
        "Expelled migrants",
        "Migrants in transit",
        "Internally displaced people",
        "Refugees",
        "Women",
        "Children and unaccompanied minors",
        "Youth",
        "Migrants' families",
        "Diaspora",
        "Immigrants",
    ]
    assert list(Language.objects.values_list("code", "name")) == [
        ("fr", "Français"),
        ("bm", "Bambara"),
        ("snk", "Soninké"),
        ("ff", "Fulfulde (peul)"),
        ("son", "Songhaï"),
        ("tmh", "Tamasheq"),
        ("ar", "Arabe"),
        ("en", "Anglais"),
    ]


def test_it_shows_the_public_only_published_services_of_published_organisations(
    django_user_model,
):
    shown = ServiceFactory(name="Accueil")
    ServiceFactory(name="Brouillon", status=Service.Status.DRAFT)
    ServiceFactory(
        name="Chez un brouillon",
        organisation=org_factories.OrganisationFactory(status=Organisation.Status.DRAFT),
    )
    assert list(visible_services()) == [shown]
    viewer = django_user_model.objects.create_superuser(username="boss", password="x" * 12)
    assert visible_services(viewer).count() == 3


def test_a_service_for_a_region_serves_its_cercles_and_communes():
    cercle = org_factories.CercleFactory(name="Kita")
    region = cercle.parent
    commune = org_factories.ZoneFactory(name="Kita commune", level="commune", parent=cercle)
    elsewhere = org_factories.CercleFactory(name="Gao")
    national = ServiceFactory(name="National", zones=[region.parent])
    regional = ServiceFactory(name="Régional", zones=[region])
    local = ServiceFactory(name="Dans la commune", zones=[commune])
    ServiceFactory(name="Ailleurs", zones=[elsewhere])
    assert set(Service.objects.serving(cercle)) == {national, regional, local}
    assert set(Service.objects.serving(commune)) == {national, regional, local}
    assert set(Service.objects.serving(region)) == {national, regional, local}
    assert set(Service.objects.serving(elsewhere)) == {Service.objects.get(name="Ailleurs")}


def test_opening_hours_need_days_in_order_and_times_that_follow():
    schedule = ScheduleFactory.build(service=ServiceFactory(), days="lundi")
    with pytest.raises(ValidationError) as error:
        schedule.full_clean()
    assert "days" in error.value.message_dict
    schedule = ScheduleFactory.build(
        service=ServiceFactory(), opens_at=datetime.time(17), closes_at=datetime.time(9)
    )
    with pytest.raises(ValidationError) as error:
        schedule.full_clean()
    assert error.value.message_dict["closes_at"] == [
        "L’heure de fermeture doit suivre l’heure d’ouverture."
    ]


def test_opening_hours_refuse_another_organisations_office():
    other_office = org_factories.OfficeFactory()
    schedule = ScheduleFactory.build(service=ServiceFactory(), office=other_office)
    with pytest.raises(ValidationError) as error:
        schedule.full_clean()
    assert error.value.message_dict["office"] == ["Ce bureau appartient à une autre organisation."]


def _service_inline(**values) -> dict:
    data = {
        "services-TOTAL_FORMS": "1",
        "services-INITIAL_FORMS": "0",
        "services-0-name": "Aide juridique",
        "services-0-status": "published",
        "services-0-cost": "free",
    }
    data.update({f"services-0-{key}": value for key, value in values.items()})
    return data


def test_staff_add_a_service_on_the_organisations_page_with_history(staff_client):
    organisation = org_factories.OrganisationFactory()
    office = org_factories.OfficeFactory(organisation=organisation)
    women = PopulationGroup.objects.get(slug="femmes")
    bambara = Language.objects.get(code="bm")
    data = _organisation_form(organisation)
    data.update(
        _service_inline(populations=[women.pk], languages=[bambara.pk], offices=[office.pk])
    )
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    service = organisation.services.get()
    assert (service.name, service.cost) == ("Aide juridique", "free")
    assert list(service.populations.all()) == [women]
    assert list(service.languages.all()) == [bambara]
    assert list(service.offices.all()) == [office]
    assert {row.history_user for row in service.history.all()} == {staff_client.user}
    history_url = reverse("admin:organisations_organisation_history", args=[organisation.pk])
    history = staff_client.get(history_url)
    assert "Aide juridique" in history.content.decode()


def test_the_admin_refuses_another_organisations_office_for_a_service(staff_client):
    organisation = org_factories.OrganisationFactory()
    foreign = org_factories.OfficeFactory(address="Ailleurs, Kayes")
    data = {
        "organisation": organisation.pk,
        "name": "Aide juridique",
        "status": "published",
        "cost": "",
        "offices": [foreign.pk],
        "schedules-TOTAL_FORMS": "0",
        "schedules-INITIAL_FORMS": "0",
    }
    response = staff_client.post(reverse("admin:services_service_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["offices"] == [
        "Ces éléments appartiennent à une autre organisation\u00a0: Siège: Ailleurs, Kayes."
    ]
    assert not Service.objects.exists()


def test_staff_set_opening_hours_on_the_services_page(staff_client):
    service = ServiceFactory()
    url = reverse("admin:services_service_change", args=[service.pk])
    data = {
        "organisation": service.organisation_id,
        "name": service.name,
        "status": "published",
        "cost": "varies",
        "schedules-TOTAL_FORMS": "1",
        "schedules-INITIAL_FORMS": "0",
        "schedules-0-days": "MO,WE",
        "schedules-0-opens_at": "08:30",
        "schedules-0-closes_at": "12:00",
    }
    assert staff_client.post(url, data).status_code == 302
    schedule = Schedule.objects.get(service=service)
    assert str(schedule) == "MO,WE 08:30–12:00"
    assert schedule.day_names() == ["lundi", "mercredi"]


@pytest.fixture
def seeded(db):
    with transaction.atomic():
        load_mali_seed()
        yield


def test_the_seed_holds_only_the_services_tableau_5_states(seeded):
    services = Service.objects.select_related("organisation", "source")
    assert services.count() == 37
    assert {service.source.section for service in services} == {"Tableau 5"}
    returnees = services.filter(populations__slug="migrants-de-retour")
    assert sorted(returnees.values_list("organisation__slug", flat=True)) == sorted(
        ["ame", "artd", "blaam", "mahm", "camarci", "amarc", "enda-mali", "ohpmi"]
    )
    # « Maison du Migrant et Direy Ben à Gao »: the row's place, not the organisation's four.
    gao = services.get(organisation__slug="maison-du-migrant-gao")
    assert [zone.name for zone in gao.zones.all()] == ["Gao"]
    # Nothing the report does not say: no language, cost, access mode, office or hours.
    assert not Service.languages.through.objects.exists()
    assert not Service.offices.through.objects.exists()
    assert not Schedule.objects.exists()
    assert set(services.values_list("cost", flat=True)) == {""}
    assert not services.filter(walk_in=True).exists()
    # Cooperation and local development is not help a person asks for.
    assert not services.filter(organisation__slug="grdr").exists()


# Tableau 5 of the report, row by row: the organisations of each row of help to people.
TABLEAU_5 = {
    "Accompagnement de jeunes": ["ajdm", "enda-mali"],
    "Droit et Protection de femmes": ["aracem", "atc", "cafo"],
    "Droit et Protection des enfants": ["bnce", "ejt", "enda-mali", "save-the-children"],
    "Protection, assistance, insertion socio-économique et professionnelle des jeunes aides "
    "ménagères (exode)": ["addad", "apam", "baara-muso"],
    "Assistance des migrants en transit": [
        "aracem", "direy-ben", "enda-mali", "gram", "mahm", "maison-du-migrant-gao",
    ],
    "Accueil et intégration des Immigré(e)s": ["afe", "aracem", "atc", "fecam", "gram"],
    "Protection des Maliens de l'Extérieur/Diaspora": ["csdm", "hcme"],
    "Accueil, assistance et réinsertion des migrants de retour": [
        "amarc", "ame", "artd", "blaam", "camarci", "enda-mali", "mahm", "ohpmi",
    ],
    "Accueil, protection et assistance des déplacés internes et Réfugiés": [
        "ame", "aracem", "gram", "ohpmi",
    ],
}  # fmt: skip


def test_every_seeded_service_is_a_row_of_tableau_5_with_its_source(seeded):
    seeded_rows: dict[str, list[str]] = {}
    for name, slug, source in Service.objects.order_by("organisation__slug").values_list(
        "name", "organisation__slug", "source__code"
    ):
        seeded_rows.setdefault(name, []).append(slug)
        assert source == "mali-2022-t5", (name, slug)
    assert seeded_rows == TABLEAU_5


def test_the_seed_runs_twice_without_change(seeded):
    assert not any("services" in key for key in load_mali_seed())
