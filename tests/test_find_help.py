"""« Trouver de l'aide »: place and need → the services that serve that place, with how
to reach them (public values only); profiles list their services."""

import datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from organisations import factories as org
from organisations.models import Organisation, Zone
from services.factories import ScheduleFactory, ServiceFactory
from services.models import Language, PopulationGroup, Service
from services.visibility import services_seen

pytestmark = pytest.mark.django_db

FIND_HELP = reverse("directory:find_help")


@pytest.fixture
def places():
    mali = org.ZoneFactory(name="Mali", level="country")
    kayes = org.RegionFactory(name="Kayes", parent=mali)
    kita = org.CercleFactory(name="Kita", parent=kayes)
    gao = org.RegionFactory(name="Gao", parent=mali)
    return {"mali": mali, "kayes": kayes, "kita": kita, "gao": gao}


def find(client, **params):
    response = client.get(FIND_HELP, params)
    return response, response.content.decode()


def test_the_home_page_leads_to_find_help(client):
    html = client.get(reverse("directory:home")).content.decode()
    assert f'href="{FIND_HELP}"' in html


def test_a_service_for_the_region_or_the_country_serves_its_cercles(client, places):
    ServiceFactory(name="Aide régionale Kayes", zones=[places["kayes"]])
    ServiceFactory(name="Ligne nationale", zones=[places["mali"]])
    ServiceFactory(name="Abri à Kita", zones=[places["kita"]])
    ServiceFactory(name="Abri à Gao", zones=[places["gao"]])
    response, html = find(client, zone=places["kita"].pk)
    assert response.status_code == 200
    assert [s.name for s in response.context["services"]] == [
        "Abri à Kita",
        "Aide régionale Kayes",
        "Ligne nationale",
    ]
    assert "3 services" in html
    assert "Abri à Gao" not in html


def test_it_filters_by_people_served_theme_and_language(client, places):
    returnees = PopulationGroup.objects.get(slug="migrants-de-retour")
    bambara = Language.objects.get(code="bm")
    theme = org.ThemeFactory(name="Protection", slug="protection")
    ServiceFactory(
        name="Accueil des rapatriés",
        zones=[places["mali"]],
        populations=[returnees],
        languages=[bambara],
        themes=[theme],
    )
    ServiceFactory(name="Autre service", zones=[places["mali"]], themes=[theme])
    for params in [
        {"population": "migrants-de-retour"},
        {"language": "bm", "zone": places["kita"].pk},
        {"theme": "protection", "population": "migrants-de-retour", "language": "bm"},
    ]:
        response, _html = find(client, **params)
        assert [s.name for s in response.context["services"]] == ["Accueil des rapatriés"]
    response, _html = find(client, theme="protection")
    assert len(response.context["services"]) == 2


def test_each_service_says_how_to_reach_it_with_public_values_only(client, places):
    organisation = org.OrganisationFactory(name="Maison d'accueil")
    office = org.OfficeFactory(organisation=organisation, address="Yirimadio Zerny, Bamako")
    public = org.ContactChannelFactory(organisation=organisation, value="+22375570494")
    private = org.ContactChannelFactory(
        organisation=organisation, value="+22396000001", is_public=False
    )
    service = ServiceFactory(
        organisation=organisation,
        name="Hébergement temporaire",
        zones=[places["mali"]],
        cost=Service.Cost.FREE,
        walk_in=True,
        by_phone=True,
        staff_notes="NOTE-PRIVEE-SERVICE",
    )
    service.channels.set([public, private])
    service.offices.set([office])
    ScheduleFactory(
        service=service,
        office=office,
        days="MO,TU",
        opens_at=datetime.time(8, 30),
        closes_at=datetime.time(17),
    )
    ServiceFactory(name="SERVICE-BROUILLON", status=Service.Status.DRAFT, zones=[places["mali"]])
    ServiceFactory(
        name="SERVICE-D-UN-BROUILLON",
        zones=[places["mali"]],
        organisation=org.OrganisationFactory(status=Organisation.Status.DRAFT),
    )
    _response, html = find(client, zone=places["kita"].pk)
    for shown in [
        "Hébergement temporaire",
        'href="tel:+22375570494"',
        "Yirimadio Zerny, Bamako",
        "lundi, mardi 08:30–17:00",
        "Gratuit",
        "Sans rendez-vous, par ligne téléphonique ou WhatsApp",
    ]:
        assert shown in html
    for hidden in ["+22396000001", "NOTE-PRIVEE-SERVICE", "SERVICE-BROUILLON", "D-UN-BROUILLON"]:
        assert hidden not in html


def test_a_service_without_contacts_of_its_own_gives_its_organisations(client, places):
    organisation = org.OrganisationFactory()
    org.ContactChannelFactory(organisation=organisation, kind="email", value="aide@example.org")
    org.ContactChannelFactory(organisation=organisation, value="+22396000009", is_public=False)
    ServiceFactory(organisation=organisation, zones=[places["mali"]])
    _response, html = find(client)
    assert "Contacter l’organisation" in html
    assert 'href="mailto:aide@example.org"' in html
    assert "+22396000009" not in html


def test_without_javascript_links_walk_down_the_tree_keeping_the_need(client, places):
    _response, html = find(client, population="femmes", zone=places["kayes"].pk)
    kita_link = f"{FIND_HELP}?population=femmes&amp;zone={places['kita'].pk}"
    mali_link = f"{FIND_HELP}?population=femmes&amp;zone={places['mali'].pk}"
    assert f'href="{kita_link}"' in html
    assert f'href="{mali_link}"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"zone": "abc"}, "Où êtes-vous\u202f?"),
        ({"zone": "99999999999999999999999"}, "Où êtes-vous\u202f?"),
        ({"population": "martiens"}, "Pour qui est l’aide\u202f?"),
        ({"language": "xx"}, "Dans quelle langue\u202f?"),
        ({"page": "99"}, "Ce numéro de page n’existe pas."),
    ],
)
def test_a_value_it_does_not_know_is_a_clear_400(client, places, params, message):
    response, html = find(client, **params)
    assert response.status_code == 400
    assert message in html


def test_it_speaks_english_on_the_english_page(client, places):
    ServiceFactory(name="Abri", name_en="Shelter", zones=[places["mali"]])
    html = client.get("/en" + FIND_HELP).content.decode()
    assert "<h1>Find help</h1>" in html
    assert "Shelter" in html
    html = client.get(FIND_HELP).content.decode()
    assert "<h1>Trouver de l’aide</h1>" in html
    assert "Abri" in html


def test_a_full_page_weighs_under_60_kb_in_a_fixed_number_of_queries(
    client, places, django_assert_max_num_queries
):
    returnees = PopulationGroup.objects.get(slug="migrants-de-retour")
    source = org.SourceFactory()
    for n in range(25):
        organisation = org.OrganisationFactory()
        org.ContactChannelFactory(organisation=organisation, value=f"+2237600{n:04d}")
        office = org.OfficeFactory(organisation=organisation, zone=places["kita"])
        service = ServiceFactory(
            organisation=organisation,
            name=f"Service d'accueil et d'orientation des migrants de retour {n}",
            description="Accueil, écoute, orientation vers les services sociaux. " * 3,
            zones=[places["kayes"]],
            populations=[returnees],
            source=source,
        )
        service.offices.set([office])
        ScheduleFactory(service=service, office=office)
    with django_assert_max_num_queries(16):
        response = client.get(FIND_HELP, {"zone": places["kita"].pk})
    assert len(response.context["services"]) == 20
    assert len(response.content) <= 60_000


def test_the_printed_page_keeps_the_results_and_drops_the_form(client, places):
    _response, html = find(client)
    assert 'class="find-help no-print"' in html
    stylesheet = Path(finders.find("css/site.css")).read_text(encoding="utf-8")
    printed = stylesheet.split("@media print", 1)[1]
    assert ".no-print" in printed.split("}", 1)[0]


def test_the_printed_page_says_what_was_asked_and_where_to_find_it_online(client, places):
    response, html = find(client, zone=places["kita"].pk, population="migrants-de-retour")
    printed = html.split('<p class="print-only">', 1)[1].split("</p>", 1)[0]
    assert "Où êtes-vous\u202f? Kita · Pour qui est l’aide\u202f? Migrants de retour" in printed
    assert f"Cette liste en ligne\xa0: http://testserver{FIND_HELP}?zone=" in printed


def test_the_profile_lists_its_published_services_only(client, places):
    organisation = org.OrganisationFactory(slug="ame")
    ServiceFactory(organisation=organisation, name="Accueil à l'aéroport")
    ServiceFactory(organisation=organisation, name="PROJET-INTERNE", status=Service.Status.DRAFT)
    html = client.get(reverse("directory:organisation_detail", args=["ame"])).content.decode()
    assert "<h2>Services</h2>" in html
    assert "Accueil à l&#x27;aéroport" in html
    assert "PROJET-INTERNE" not in html


def test_staff_who_see_private_data_find_draft_services(staff_client, places):
    ServiceFactory(name="SERVICE-BROUILLON", status=Service.Status.DRAFT, zones=[places["mali"]])
    html = staff_client.get(FIND_HELP).content.decode()
    assert "SERVICE-BROUILLON" in html


def test_zone_choices_list_every_place_of_the_tree(client, places):
    response, _html = find(client)
    labels = dict(response.context["form"].fields["zone"].choices)
    assert labels[str(places["kita"].pk)].strip() == "Kita"
    assert Zone.objects.count() == len(labels) - 1


def test_theme_choices_are_those_of_services_the_visitor_sees(staff_client):
    ServiceFactory(themes=[org.ThemeFactory(slug="abri", name="Abri")])
    ServiceFactory(status="draft", themes=[org.ThemeFactory(slug="projet", name="PROJET")])
    public = Client()
    choices = dict(find(public)[0].context["form"].fields["theme"].choices)
    assert list(choices) == ["", "abri"]  # a draft's theme would always find nothing
    staff_choices = dict(staff_client.get(FIND_HELP).context["form"].fields["theme"].choices)
    assert list(staff_choices) == ["", "abri", "projet"]
    assert find(public, theme="projet")[0].status_code == 400


def test_zone_choices_read_as_the_tree_in_official_order(client):
    """Each place right after its parent, indented one step per level, siblings in the
    official order (ML-1 Kayes before the district ML-BKO, cercles and communes by name),
    whatever order they were recorded in."""
    mali = org.ZoneFactory(name="Mali", iso_code="ML")
    bamako = org.RegionFactory(name="Bamako", iso_code="ML-BKO", parent=mali)
    kayes = org.RegionFactory(name="Kayes", iso_code="ML-1", parent=mali)
    kita = org.CercleFactory(name="Kita", parent=kayes)
    org.ZoneFactory(name="Sébékoro", level=Zone.Level.COMMUNE, parent=kita)
    org.ZoneFactory(name="Kita commune", level=Zone.Level.COMMUNE, parent=kita)
    org.CercleFactory(name="Bafoulabé", parent=kayes)
    org.CercleFactory(name="Commune I", parent=bamako)
    response, _html = find(client)
    labels = [label for _value, label in response.context["form"].fields["zone"].choices]
    indent = "\u00a0\u00a0"
    assert labels == [
        "Partout",
        "Mali",
        f"{indent}Kayes",
        f"{indent * 2}Bafoulabé",
        f"{indent * 2}Kita",
        f"{indent * 3}Kita commune",
        f"{indent * 3}Sébékoro",
        f"{indent}Bamako",
        f"{indent * 2}Commune I",
    ]
    narrower = [z.name for z, _url in find(client, zone=kita.pk)[0].context["narrower"]]
    assert narrower == ["Kita commune", "Sébékoro"]


def test_a_service_with_no_public_contact_says_so(client, places):
    organisation = org.OrganisationFactory()
    org.ContactChannelFactory(organisation=organisation, value="+22396000009", is_public=False)
    ServiceFactory(organisation=organisation, name="Écoute", zones=[places["mali"]])
    _response, html = find(client)
    assert "<dt>Contact</dt><dd>Aucun contact public.</dd>" in html
    assert "+22396000009" not in html
    html = client.get("/en" + FIND_HELP).content.decode()
    assert "<dt>Contact</dt><dd>No public contact.</dd>" in html


def test_the_organisation_list_filters_by_the_people_their_services_serve(client, places):
    returnees = PopulationGroup.objects.get(slug="migrants-de-retour")
    helping = org.OrganisationFactory(name="Accueil des rapatriés")
    ServiceFactory(organisation=helping, populations=[returnees])
    hidden = org.OrganisationFactory(name="Projet en préparation")
    ServiceFactory(organisation=hidden, populations=[returnees], status=Service.Status.DRAFT)
    org.OrganisationFactory(name="Sans service")
    url = reverse("directory:organisation_list")
    response = client.get(url, {"services_for": "migrants-de-retour"})
    assert [o.name for o in response.context["page"]] == ["Accueil des rapatriés"]
    facet = next(f for f in response.context["facets"] if f.name == "services_for")
    assert facet.label == "Services pour…"
    assert [(o.label, o.count) for o in facet.options] == [("Migrants de retour", 1)]
    assert client.get(url, {"services_for": "martiens"}).status_code == 400


@pytest.fixture
def returnee_services():
    """Organisations whose services for returnees each audience may or may not see."""
    returnees = PopulationGroup.objects.get(slug="migrants-de-retour")
    published = org.OrganisationFactory(name="Accueil des rapatriés", slug="accueil")
    ServiceFactory(organisation=published, name="Accueil à l'aéroport", populations=[returnees])
    ServiceFactory(
        organisation=published,
        name="PROJET-INTERNE",
        populations=[returnees],
        status=Service.Status.DRAFT,
    )
    only_draft = org.OrganisationFactory(name="Brouillon seulement", slug="brouillon")
    ServiceFactory(
        organisation=only_draft, name="ARCHIVE", populations=[returnees], status="archived"
    )
    draft = org.OrganisationFactory(name="Projet en préparation", status="draft", slug="projet")
    ServiceFactory(organisation=draft, name="SERVICE-D-UN-BROUILLON", populations=[returnees])
    org.OrganisationFactory(name="Sans service")


@pytest.mark.parametrize(
    ("private", "listed", "count"),
    [
        (False, ["Accueil des rapatriés"], 1),
        (True, ["Accueil des rapatriés", "Brouillon seulement", "Projet en préparation"], 3),
    ],
    ids=["public", "staff"],
)
def test_services_for_lists_the_organisations_whose_services_the_audience_sees(
    client, django_user_model, returnee_services, private, listed, count
):
    if private:
        client.force_login(django_user_model.objects.create_superuser("staff", password="x" * 12))
    response = client.get(
        reverse("directory:organisation_list"), {"services_for": "migrants-de-retour"}
    )
    assert sorted(o.name for o in response.context["page"]) == listed
    facet = next(f for f in response.context["facets"] if f.name == "services_for")
    assert [(o.label, o.count) for o in facet.options] == [("Migrants de retour", count)]


@pytest.mark.parametrize(
    ("private", "shown"),
    [
        (False, {"accueil": ["Accueil à l'aéroport"], "brouillon": [], "projet": None}),
        (
            True,
            {
                "accueil": ["Accueil à l'aéroport", "PROJET-INTERNE"],
                "brouillon": ["ARCHIVE"],
                "projet": ["SERVICE-D-UN-BROUILLON"],
            },
        ),
    ],
    ids=["public", "staff"],
)
def test_a_profile_lists_the_services_the_audience_may_see(
    client, django_user_model, returnee_services, private, shown
):
    """None: the profile itself is not found (an unpublished organisation, for the public)."""
    if private:
        client.force_login(django_user_model.objects.create_superuser("staff", password="x" * 12))
    for slug, services in shown.items():
        response = client.get(reverse("directory:organisation_detail", args=[slug]))
        if services is None:
            assert response.status_code == 404
            assert "SERVICE-D-UN-BROUILLON" not in response.content.decode()
            continue
        names = [s.name for s in response.context["services"]]
        assert sorted(names) == services, slug


@pytest.mark.parametrize("private", [False, True], ids=["public", "staff"])
def test_the_index_answers_what_the_criteria_mean_for_each_audience(
    django_user_model, places, private
):
    """One path for everyone: the index, compared with the criteria's meaning in SQL
    (services.models' queryset methods) for the public and for staff."""
    returnees = PopulationGroup.objects.get(slug="migrants-de-retour")
    bambara = Language.objects.get(code="bm")
    theme = org.ThemeFactory(slug="protection")
    unpublished = org.OrganisationFactory(name="En préparation", status="draft")
    for n, zone in enumerate([places["mali"], places["kayes"], places["kita"], places["gao"]]):
        ServiceFactory(name=f"Tous {n}", zones=[zone])
        ServiceFactory(name=f"Rapatriés {n}", zones=[zone], populations=[returnees])
        ServiceFactory(name=f"Bambara {n}", zones=[zone], languages=[bambara], themes=[theme])
        ServiceFactory(name=f"Brouillon {n}", zones=[zone], status=Service.Status.DRAFT)
        ServiceFactory(name=f"Interne {n}", zones=[zone], organisation=unpublished)
    asking = Client()
    if private:
        asking.force_login(django_user_model.objects.create_superuser("staff", password="x" * 12))
    for params in [
        {},
        {"zone": places["kita"].pk},
        {"zone": places["kayes"].pk, "population": "migrants-de-retour"},
        {"zone": places["gao"].pk, "language": "bm", "theme": "protection"},
    ]:
        meant = services_seen(private)
        if "zone" in params:
            meant = meant.serving(Zone.objects.get(pk=params["zone"]))
        if "population" in params:
            meant = meant.for_people(params["population"])
        if "theme" in params:
            meant = meant.on_theme(params["theme"])
        if "language" in params:
            meant = meant.in_language(params["language"])
        expected = list(meant.order_by("name", "pk").values_list("name", flat=True))
        found = [s.name for s in asking.get(FIND_HELP, params).context["services"]]
        assert found == expected, params
        assert found, params
        if set(params) == {"zone"}:  # the drafts count for staff only
            assert any(name.startswith(("Brouillon", "Interne")) for name in found) == private


def test_a_service_unpublished_after_the_index_was_built_is_not_shown(client, places):
    ServiceFactory(name="Abri", zones=[places["mali"]])
    assert "Abri" in find(client)[1]
    Service.objects.update(status=Service.Status.DRAFT)  # no signal: the index is stale
    assert "Abri" not in find(client)[1]
