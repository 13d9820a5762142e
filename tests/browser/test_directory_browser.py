"""A visitor on a phone finds who does what where, in French and English."""

import re

import pytest

from tests.directory_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    world = build_world()
    return live_server.url, world


def test_search_filter_open_a_profile_and_switch_to_english(page, site, screenshot):
    url, world = site
    page.goto(url + "/")
    page.fill("#home-q", "segou")
    page.click("form[role=search] button")
    page.wait_for_url(re.compile(r"/organisations/\?q=segou"))
    assert page.locator("ul.cards h3").all_inner_texts() == ["Association Tilé Coura ATC"]
    screenshot("search")

    # Filter by a region: ticking a box applies it (the Apply button works without JS).
    page.goto(url + "/organisations/")
    page.locator("summary", has_text="Zone").click()
    page.get_by_label(re.compile(r"^Kayes")).check()
    page.wait_for_url(re.compile(rf"zone={world.kayes.pk}"))
    assert page.evaluate("document.activeElement.value") == str(world.kayes.pk)
    names = page.locator("ul.cards h3 a").all_inner_texts()
    assert names == [world.grdr.name, world.omrib.name]  # OMRIB works in a cercle of Kayes
    screenshot("region")

    page.click(f"text={world.omrib.name}")
    page.wait_for_url(re.compile(r"/organisations/omrib/$"))
    assert page.locator("h1").inner_text().startswith(world.omrib.name)
    screenshot("profile")

    page.click("text=English")
    page.wait_for_url(re.compile(r"/en/organisations/omrib/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2", has_text="Where it works").count() == 1
    screenshot("profile-en")


def test_a_statistics_number_opens_the_list_it_counts(page, site, screenshot):
    url, world = site
    page.goto(url + "/statistiques/")
    link = page.locator("#by-region ~ ul a").first
    number = int(link.inner_text())
    link.click()
    page.wait_for_url(re.compile(r"/organisations/\?zone="))
    assert len(page.locator("ul.cards > li").all()) == number
    assert page.locator("#results").inner_text().startswith(str(number))
    screenshot("list")


def test_from_a_gap_in_a_region_to_its_cercles_and_the_list(page, site, screenshot):
    url, world = site
    page.goto(url + "/statistiques/")
    page.click("text=Où l’aide manque")
    page.wait_for_url(re.compile(r"/ou-l-aide-manque/$"))
    screenshot("regions")
    kayes = page.locator("table.gaps tbody tr", has_text="Kayes")
    assert kayes.locator("th").inner_text() == "Kayes"
    page.click("table.gaps th a >> text=Kayes")
    page.wait_for_url(re.compile(rf"zone={world.kayes.pk}"))
    yelimane = page.locator("table.gaps tbody tr", has_text="Yélimané")
    assert yelimane.locator("td").first.inner_text() == "1"  # OMRIB
    # A marked empty cell opens the list it counts: nobody.
    yelimane.locator("td.gap a").first.click()
    page.wait_for_url(re.compile(r"/organisations/\?zone="))
    assert page.locator("ul.cards > li").count() == 0
    page.go_back()
    screenshot("cercles")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/organisations/",
        "/organisations/aracem/",
        "/statistiques/",
        "/en/",
        "/trouver-de-l-aide/?population=migrants-de-retour",
        "/ou-l-aide-manque/",
        "/en/ou-l-aide-manque/?view=people",
        "/carte/?theme=protection",
    ],
)
def test_no_serious_accessibility_violation(page, site, axe_violations, path):
    url, _world = site
    page.goto(url + path)
    assert axe_violations() == []


def test_printed_list_and_profile_keep_the_content_without_navigation(page, site):
    import io

    import pypdf

    url, world = site
    page.emulate_media(media="print")
    page.goto(url + "/organisations/")
    for hidden in ("header.site", "form.filters", ".downloads", ".pagination"):
        assert not page.locator(hidden).first.is_visible()
    assert page.locator("ul.cards").is_visible()
    assert page.locator(".print-only").inner_text().endswith(url + "/organisations/")
    card_break = "getComputedStyle(document.querySelector('.card')).breakInside"
    assert page.evaluate(card_break) == "avoid"

    page.goto(url + "/organisations/aracem/")
    assert not page.locator("header.site").is_visible()
    assert not page.get_by_text("Fiche (PDF, une page A4)").is_visible()
    printed = pypdf.PdfReader(io.BytesIO(page.pdf()))
    text = " ".join(" ".join(p.extract_text().split()) for p in printed.pages)
    assert world.refoules.name in text
    assert "Statistiques" not in text  # the menu
    assert f"ligne : {url}/organisations/aracem/ Source" in text  # the page's own address


def test_the_pdf_waiting_page_is_accessible(page, site, axe_violations, settings):
    from django.http import QueryDict

    from exports.tasks import PDF_JOB, pdf_job_key
    from jobs.models import Job

    url, _world = site
    settings.PDF_BACKGROUND_ROWS = 0
    key = pdf_job_key(QueryDict(""), "fr")
    Job.objects.create(kind=PDF_JOB, owner=None, label="annuaire", params={"key": key})
    response = page.goto(url + "/exports/annuaire.pdf")
    assert response.status == 202
    assert page.locator("h1").inner_text() == "Préparation du PDF"
    assert axe_violations() == []


@pytest.mark.parametrize("path", ["/trouver-de-l-aide/", "/en/trouver-de-l-aide/"])
def test_service_cards_fit_a_390_px_phone(browser, site, path):
    """Long e-mail addresses and phone numbers stay inside the screen (no sideways
    scrolling) and a phone number is never cut across two lines."""
    from organisations import factories as org
    from services.factories import ServiceFactory

    url, world = site
    organisation = org.OrganisationFactory(name="Association des Maliens expulsés")
    for value in ["+22320241122", "+22366772111"]:
        org.ContactChannelFactory(organisation=organisation, value=value)
    org.ContactChannelFactory(
        organisation=organisation, kind="email", value="expulsesmaliensbasta@yahoo.fr"
    )
    ServiceFactory(organisation=organisation, name="Accueil des expulsés", zones=[world.kayes])
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(url + path)
    phones = page.locator('.service a[href^="tel:"]')
    assert phones.count() == 2
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )
    line = phones.first.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)")
    for box in [phones.nth(i).bounding_box() for i in range(2)]:
        assert box["x"] + box["width"] <= 390
        assert box["height"] <= line * 1.2
    context.close()


def test_the_map_opens_a_regions_cercles_with_its_people_layer(
    page, site, axe_violations, screenshot
):
    from organisations.models import Zone
    from services.factories import PopulationGroupFactory, ServiceFactory

    url, _world = site
    returnees = PopulationGroupFactory(name="Migrants de retour", slug="migrants-de-retour")
    ServiceFactory(zones=[Zone.objects.get(name="Yélimané")], populations=[returnees])
    page.goto(url + "/carte/?population=migrants-de-retour")
    page.get_by_role("navigation", name="Lieux").get_by_role("link", name="Kayes").click()
    page.wait_for_url(re.compile(r"/carte/\?zone=\d+&population=migrants-de-retour"))
    heading = page.locator("#people-map-heading").inner_text()
    assert heading == "Public servi\u00a0: Migrants de retour"
    assert page.get_by_role("heading", name="Cercles\u00a0: Kayes").is_visible()
    people_map = page.locator("#people-map")
    assert "Yélimané (1)" in people_map.inner_text()
    assert axe_violations() == []
    screenshot("map-cercles")


PEOPLE_SERVED = [
    "Migrants de retour",
    "Migrants expulsés ou refoulés",
    "Migrants en transit",
    "Personnes déplacées internes",
    "Réfugiés",
    "Femmes",
    "Enfants et mineurs non accompagnés",
    "Jeunes",
    "Familles de migrants",
    "Diaspora",
    "Immigrés",
]


def test_the_printed_gaps_page_keeps_every_column_and_drops_the_forms(page, site):
    import io

    import pypdf
    from django.utils.text import slugify

    from services.factories import PopulationGroupFactory

    url, _world = site
    # The people served the site ships (a flushed test database may have lost them).
    for position, name in enumerate(PEOPLE_SERVED):
        PopulationGroupFactory(name=name, slug=slugify(name), position=position)
    page.set_viewport_size({"width": 718, "height": 1000})  # A4's width inside its margins
    page.emulate_media(media="print")
    page.goto(url + "/ou-l-aide-manque/?view=people")
    # The last column lies on the page, not beyond the scrolling box's edge.
    last_column = "document.querySelector('table.gaps thead th:last-child')"
    assert page.evaluate(f"{last_column}.getBoundingClientRect().right") <= 718
    printed = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = " ".join(" ".join(p.extract_text().split()) for p in printed.pages)
    assert PEOPLE_SERVED[-1] in text
    assert "Afficher la carte" not in text and "Télécharger ce tableau" not in text
    assert f"Ce tableau en ligne : {url}/ou-l-aide-manque/?view=people" in text
