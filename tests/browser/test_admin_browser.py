"""The staff's daily pages have no serious or critical axe-core violation and nothing wider
than the window: at 1,280 px on a desk, and data quality on a 390 px phone."""

import pytest

from tests.directory_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "x" * 12
DAILY_PAGES = [
    "/admin/organisations/organisation/",
    "/admin/organisations/organisation/{refoules}/change/",
    "/admin/crm/dashboard/",
    "/admin/crm/quality/",
    "/admin/surveys/importbatch/import/",
]


@pytest.fixture
def staff_page(browser, live_server, django_user_model, request):
    """A browser tab logged in to the admin, as wide as the test's ``width`` parameter."""
    world = build_world()
    django_user_model.objects.create_superuser(username="awa", password=PASSWORD)
    width = getattr(request, "param", 1280)
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "awa")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    yield page, live_server.url, world
    context.close()


def _overflow(page) -> int:
    """How many pixels the page is wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def axe_violations_of():
    from tests.browser.conftest import AXE

    def run(page) -> list[dict]:
        page.add_script_tag(content=AXE.read_text())
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return run


@pytest.mark.parametrize("path", DAILY_PAGES)
def test_a_daily_staff_page_passes_axe_and_fits_1280_px(staff_page, axe_violations_of, path):
    page, url, world = staff_page
    page.goto(url + path.format(refoules=world.refoules.pk))
    assert page.locator("#content").count() == 1
    assert axe_violations_of(page) == []
    assert _overflow(page) <= 0


@pytest.mark.parametrize("staff_page", [390], indirect=True)
def test_data_quality_fits_a_phone(staff_page):
    page, url, _world = staff_page
    page.goto(url + "/admin/crm/quality/")
    assert _overflow(page) <= 0


def test_an_import_preview_with_notes_and_a_missing_column_passes_axe(
    staff_page, axe_violations_of
):
    from surveys.models import ImportMapping

    page, url, _world = staff_page
    mapping = ImportMapping.objects.create(
        name="Court", slug="court", definition="fields: {name: Nom, phones: Tel, acronym: Sigel}"
    )
    content = b"Nom;Tel;Sigle\r\nAssociation A;12;AA\r\nAssociation B;+223 1234;AB\r\n"
    page.goto(url + "/admin/surveys/importbatch/import/")
    page.set_input_files(
        "#id_file", files=[{"name": "osc.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.select_option("#id_mapping", str(mapping.pk))
    # The preview answers at the same address: wait for its page, not just the click.
    with page.expect_navigation():
        page.click("input[type=submit]")

    assert page.locator("#note-counts td").inner_text() == "2"
    assert "vouliez-vous dire « Sigle »" in page.locator("#missing-columns").inner_text()
    assert "La correspondance nomme des colonnes que le fichier n’a pas." in page.content()
    assert axe_violations_of(page) == []
    assert _overflow(page) <= 0
    page.screenshot(path="/tmp/impfix-preview.png", full_page=True)


def test_a_kobotoolbox_source_and_its_pull_page_pass_axe_and_fit_1280_px(
    staff_page, axe_violations_of
):
    from surveys.models import ImportMapping, KoboSource

    page, url, _world = staff_page
    mapping = ImportMapping.objects.create(
        name="Référence", slug="reference", definition="fields:\n  name: nom\n"
    )
    source = KoboSource.objects.create(
        name="Enquête OSC", slug="enquete-osc", asset_uid="aTPPUDScaFZkvBzd8FyK4Q", mapping=mapping
    )
    for path in (
        f"/admin/surveys/kobosource/{source.pk}/change/",
        f"/admin/surveys/kobosource/{source.pk}/pull/",
    ):
        page.goto(url + path)
        assert page.locator("#content").count() == 1
        assert axe_violations_of(page) == []
        assert _overflow(page) <= 0
    with page.expect_navigation():
        page.click("input[type=submit]")
    # The token variable is not set here: the job fails and says why, on the jobs page.
    assert "KOBO_TOKEN" in page.locator("#content").inner_text()


def test_an_import_preview_offering_to_set_rows_aside_passes_axe(staff_page, axe_violations_of):
    from surveys.models import ImportMapping

    page, url, _world = staff_page
    mapping = ImportMapping.objects.create(
        name="Court", slug="court", definition="fields: {name: Nom, acronym: Sigle}"
    )
    content = b"Nom;Sigle\r\nAssociation A;AA\r\n=SUM(A1);AB\r\n"
    page.goto(url + "/admin/surveys/importbatch/import/")
    page.set_input_files(
        "#id_file", files=[{"name": "osc.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.select_option("#id_mapping", str(mapping.pk))
    # The preview answers at the same address: wait for its page, not just the click.
    with page.expect_navigation():
        page.click("input[type=submit]")

    assert "1 ligne peut être importée." in page.content()
    assert page.locator("#import-mode input[value=all]").is_checked()
    assert axe_violations_of(page) == []
    assert _overflow(page) <= 0
    page.screenshot(path="/tmp/setaside-preview.png", full_page=True)
