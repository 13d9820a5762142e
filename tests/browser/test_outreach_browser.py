"""The pages of update links and campaigns pass axe and fit the window; the profile's
verification line and the list's verification facet, on a phone."""

import pytest

from organisations.verification import record_verification
from tests.browser import test_admin_browser
from tests.browser.conftest import ARTIFACTS
from tests.outreach_world import email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The admin's browser fixtures: a logged-in staff tab, axe on it.
staff_page = test_admin_browser.staff_page
axe_violations_of = test_admin_browser.axe_violations_of
_overflow = test_admin_browser._overflow


def _screenshot(page, name: str) -> None:
    """The staff's tab (the shared ``screenshot`` fixture shoots the visitor's)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"outreach-{name}.png"), full_page=True)


def test_the_update_link_page_passes_axe(staff_page, axe_violations_of):
    page, url, world = staff_page
    email(world.refoules, "contact@arem.example.org")
    email(world.refoules, "direction@arem.example.org", public=False)
    page.goto(url + f"/admin/organisations/organisation/{world.refoules.pk}/change/")
    page.click("text=Lien de mise à jour…")

    page.check("text=direction@arem.example.org (privée)")
    page.click("input[type=submit]")

    assert "Le lien de mise à jour a été envoyé à direction@arem.example.org." in page.content()
    assert page.locator("#content-main tbody tr").count() == 1
    _screenshot(page, "send-link")
    assert axe_violations_of(page) == []
    assert _overflow(page) <= 0


def test_the_campaign_page_previews_then_sends(staff_page, axe_violations_of):
    page, url, world = staff_page
    email(world.refoules, "contact@arem.example.org")
    page.goto(url + "/admin/outreach/campaign/add/")
    page.fill("#id_name", "Relance 2026")
    page.check("#id_not_verified")

    with page.expect_navigation():
        page.click("input[name=_preview]")

    assert page.locator("#preview").count() == 1
    _screenshot(page, "campaign-preview")
    assert axe_violations_of(page) == []
    assert _overflow(page) <= 0
    page.click("input[name=_send]")
    page.wait_for_selector(".messagelist")
    assert "E-mails envoyés : 1 ; échecs : 0." in page.locator(".messagelist").inner_text()


def test_the_profile_and_the_list_show_verification(page, live_server, axe_violations, screenshot):
    from tests.directory_world import build_world

    world = build_world()
    record_verification(world.refoules, "organisation")

    page.goto(live_server.url + world.refoules.get_absolute_url())
    assert "Informations vérifiées le" in page.locator(".verification").inner_text()
    screenshot("profile")
    assert axe_violations() == []

    page.goto(live_server.url + "/organisations/?verified=recent&sort=-verified")
    assert page.locator("#results").inner_text() == "1 organisation"
    screenshot("list")
    assert axe_violations() == []
