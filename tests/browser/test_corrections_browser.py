"""A visitor reports an error on a phone, an organisation updates its record through its
link, without JavaScript needed; every new page passes axe."""

import re

import pytest
from django.core.cache import cache

from corrections.factories import ProposalFactory
from corrections.models import Proposal, UpdateLink
from tests.browser import test_admin_browser
from tests.directory_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The admin's browser fixtures: a logged-in staff tab, axe on it.
staff_page = test_admin_browser.staff_page
axe_violations_of = test_admin_browser.axe_violations_of


@pytest.fixture
def site(live_server, settings):
    settings.PROPOSAL_MIN_FILL_SECONDS = 0
    cache.clear()
    world = build_world()
    return live_server.url, world


def test_a_visitor_reports_an_error_from_a_profile(page, site, screenshot, axe_violations):
    url, world = site
    page.goto(url + world.omrib.get_absolute_url())
    page.click("text=Signaler une erreur ou proposer une modification")
    page.wait_for_url(re.compile(r"/proposer-une-correction/$"))
    assert axe_violations() == []
    page.select_option("#id_part", "acronym")
    page.fill("#id_value", "OMRIB-Mali")
    page.fill("#id_sender_email", "awa@example.org")
    screenshot("suggest")
    page.click("text=Envoyer la proposition")
    page.wait_for_url(re.compile(r"/proposition-envoyee/$"))
    assert "awa@example.org" not in page.content()
    assert axe_violations() == []
    screenshot("thanks")
    assert Proposal.objects.get().proposed == {"acronym": "OMRIB-Mali"}


def test_a_refused_form_and_the_add_page_pass_axe(page, site, screenshot, axe_violations):
    url, _world = site
    page.goto(url + "/ajouter-mon-organisation/")
    assert axe_violations() == []
    page.fill("#id_phones", "12")
    page.locator("#id_name").evaluate("element => element.removeAttribute('required')")
    page.click("text=Envoyer la proposition")
    assert page.locator(".form-errors").count() == 1
    assert axe_violations() == []
    screenshot("add-refused")
    page.goto(url + "/en/ajouter-mon-organisation/")
    assert page.locator("h1").inner_text() == "Add my organisation"
    screenshot("add-en")


def test_an_organisation_updates_its_record_through_its_link(
    page, site, screenshot, axe_violations
):
    url, world = site
    _link, token = UpdateLink.objects.issue(world.omrib)
    page.goto(url + UpdateLink.path_for(token))
    assert axe_violations() == []
    screenshot("self-update")
    page.fill("#id_acronym", "OMRIB2")
    page.click("text=Envoyer nos modifications pour examen")
    page.wait_for_url(re.compile(r"/proposition-envoyee/$"))
    assert Proposal.objects.get().proposed["acronym"] == "OMRIB2"
    page.goto(url + UpdateLink.path_for(token))
    with page.expect_navigation():
        page.click("text=Nos informations sont toujours exactes")
    assert "vérifiées" in page.locator("h1").inner_text()
    assert axe_violations() == []
    screenshot("verified")


def test_the_correction_form_and_add_my_organisation_work_without_javascript(browser, site):
    url, world = site
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(url + world.omrib.get_absolute_url())
        page.click("text=Signaler une erreur ou proposer une modification")
        page.wait_for_url(re.compile(r"/proposer-une-correction/$"))
        page.select_option("#id_part", "acronym")
        page.fill("#id_value", "OMRIB-Mali")
        page.click("text=Envoyer la proposition")
        page.wait_for_url(re.compile(r"/proposition-envoyee/$"))

        page.goto(url + "/")
        page.click("text=Ajouter mon organisation")
        page.wait_for_url(re.compile(r"/ajouter-mon-organisation/$"))
        page.fill("#id_name", "Association des Rapatriés de Kita")
        page.fill("#id_phones", "+223 76 12 34 56")
        page.click("text=Envoyer la proposition")
        page.wait_for_url(re.compile(r"/proposition-envoyee/$"))
    finally:
        context.close()

    correction, new = Proposal.objects.order_by("pk")
    assert correction.proposed == {"acronym": "OMRIB-Mali"}
    assert new.is_new_organisation
    assert new.proposed["name"] == "Association des Rapatriés de Kita"
    assert new.proposed["phones"] == ["+22376123456"]


def test_an_editor_decides_a_proposal_in_the_review_queue(staff_page, axe_violations_of):
    page, url, world = staff_page
    proposal = ProposalFactory(
        organisation=world.omrib,
        proposed={"acronym": "OMRIB-Mali"},
        original={"acronym": world.omrib.acronym},
    )
    page.goto(url + "/admin/corrections/proposal/")
    assert axe_violations_of(page) == []
    page.click(f"text=#{proposal.pk}")
    assert axe_violations_of(page) == []
    assert test_admin_browser._overflow(page) <= 0
    page.check("input[name=decision-acronym][value=accept]")
    page.fill("#comment-acronym", "Vérifié par téléphone")
    page.click("text=Enregistrer les décisions")
    page.wait_for_url(re.compile(r"/admin/corrections/proposal/$"))
    world.omrib.refresh_from_db()
    assert world.omrib.acronym == "OMRIB-Mali"
