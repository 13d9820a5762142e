"""The PDF annuaire of the filtered public list: its text read back with pypdf."""

import io

import pikepdf
import pypdf
import pytest
from django.urls import reverse

from directory.facet_index import facet_index
from exports.filenames import today
from jobs.models import Job
from organisations.factories import OrganisationFactory, SourceFactory, ThemeFactory
from tests.export_world import PRIVATE_EMAIL, PRIVATE_NOTES, PRIVATE_PHONE, build_export_world

pytestmark = pytest.mark.django_db

AME = "Association Malienne des Expulsés (AME)"
BLAAM = "Bloc d'Aide et d'Accompagnement des Migrants (BLAAM)"
GAO_HOUSE = "Maison du Migrant de Gao"


def download(client, language: str = "", **params):
    return client.get(f"{language}{reverse('exports:annuaire_pdf')}", params)


def pdf_pages(response) -> list[str]:
    """Each page's text, lines joined by spaces (a table cell may wrap anywhere)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    pages = pypdf.PdfReader(io.BytesIO(body)).pages
    return [" ".join(page.extract_text().split()) for page in pages]


def pdf_text(response) -> str:
    return " ".join(pdf_pages(response))


def test_it_holds_the_filtered_organisations_and_only_them(client):
    world = build_export_world()
    response = download(client, zone=world.kayes.pk)
    expected = f"annuaire-osc-kayes-{today().isoformat()}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    text = pdf_text(response)
    assert AME in text
    assert "BLAAM" not in text
    assert GAO_HOUSE not in text


def test_without_filters_it_holds_every_published_organisation_and_no_draft(client):
    build_export_world()
    text = pdf_text(download(client))
    assert AME in text and BLAAM in text and GAO_HOUSE in text
    assert "PRIVATE" not in text  # the draft's name


def test_it_never_shows_a_private_value_even_to_staff(staff_client):
    build_export_world()
    text = pdf_text(download(staff_client))
    assert "+223 20 24 11 22" in text  # the public phone, as people read it
    for private in (PRIVATE_PHONE, "+223 99 99 99 99", PRIVATE_EMAIL, PRIVATE_NOTES, "PRIVATE"):
        assert private not in text


def test_a_cover_contents_by_region_and_tableau_13_entries_with_page_numbers(client):
    world = build_export_world()
    world.ame.source = SourceFactory(document="Enquête OSC Kayes", year=2024)
    world.ame.save()
    pages = pdf_pages(download(client, zone=[world.kayes.pk, world.gao.pk]))
    cover, contents, *entries = pages
    assert "Annuaire des organisations de la société civile travaillant sur les migrations" in cover
    assert "3 organisations" in cover
    assert "Filtres Zone : Kayes, Gao" in cover  # the filters in words
    assert f"Établi le {today().day} " in cover
    assert "Données : Synthèse nationale Mali 2022" in cover
    assert "Sources des fiches : Enquête OSC Kayes (2024)." in cover
    assert "Cette liste en ligne : http://testserver/organisations/?zone=" in cover
    # Regions in the zones' order, each with its numbers and the page it starts on.
    assert "Sommaire Région N° Page Mali Kayes 1–1 3 Gao 2–3 4" in contents
    kayes, gao = entries
    assert kayes.startswith("Mali › Kayes N° Nom de l’organisation Adresse du siège Téléphones")
    assert (
        "1 Association Malienne des Expulsés (AME) Associations de migrants de retour "
        "Thèmes : Protection ; Réinsertion Djélibougou, route de Koulikoro, Bamako "
        "+223 20 24 11 22 +223 66 77 21 11 expulsesmaliensbasta@yahoo.fr "
        "www.expulsesmaliens.info -facebook.com/ame"
    ) in kayes
    assert kayes.endswith("Page 3")
    assert gao.startswith("Mali › Gao N°")
    assert f"2 {BLAAM}" in gao and f"3 {GAO_HOUSE}" in gao
    assert "Pas de site web" in gao  # BLAAM: the source said it has none
    assert gao.endswith("Page 4")


def test_themes_whose_names_hold_commas_stay_apart(client):
    world = build_export_world()
    world.ame.themes.add(ThemeFactory(name="Accueil, assistance et réinsertion"))
    text = pdf_text(download(client, zone=world.kayes.pk))
    assert "Thèmes : Accueil, assistance et réinsertion ; Protection ; Réinsertion" in text


def test_the_cover_names_the_consortium_to_contact(client, settings):
    settings.CONSORTIUM_CONTACT = "Consortium OSC Migrations, ACI 2000, Bamako — annuaire@osc.ml"
    build_export_world()
    cover = pdf_pages(download(client))[0]
    assert "Contact : Consortium OSC Migrations, ACI 2000, Bamako — annuaire@osc.ml" in cover
    settings.CONSORTIUM_CONTACT = ""
    assert "Contact" not in pdf_pages(download(client, language="/en"))[0]


def test_the_english_pdf_has_english_labels(client):
    build_export_world()
    text = pdf_text(download(client, "/en"))
    assert "Directory of civil-society organisations working on migration" in text
    for label in ("Contents", "Name of the organisation", "Head office address", "Page 3"):
        assert label in text
    assert "Sommaire" not in text and "Adresse du siège" not in text


def test_it_embeds_the_shipped_fonts_and_nothing_else(client):
    build_export_world()
    body = b"".join(download(client).streaming_content)
    with pikepdf.Pdf.open(io.BytesIO(body)) as pdf:
        fonts = {
            str(font.BaseFont).split("+")[-1]
            for page in pdf.pages
            for font in page.Resources.Font.values()
        }
    # The family only common/pdf.py's @font-face rules name (the shipped DejaVu files).
    assert fonts == {"Annuaire-Sans-Semi-Condensed", "Annuaire-Sans-Bold-Semi-Condensed"}


def test_a_malformed_filter_is_refused(client):
    response = download(client, zone="999999")
    assert response.status_code == 400
    assert "zone" in response.content.decode()


def test_queries_do_not_grow_with_the_organisations(client, django_assert_max_num_queries):
    world = build_export_world()
    facet_index()  # the first list after a write builds the index: a fixed number of queries
    with django_assert_max_num_queries(20):
        pdf_text(download(client))
    theme = ThemeFactory()
    for number in range(30):
        OrganisationFactory(name=f"Organisation {number}", zones=[world.kayes], themes=[theme])
    facet_index()  # the first list after a write builds the index: a fixed number of queries
    with django_assert_max_num_queries(20):
        text = pdf_text(download(client))
    assert "Organisation 29" in text


@pytest.fixture
def long_lists(settings):
    """Any list longer than one organisation is a long one."""
    settings.PDF_BACKGROUND_ROWS = 1


def test_a_long_list_is_made_by_a_shared_public_job(
    client, long_lists, django_capture_on_commit_callbacks
):
    # Each write's data stamp moves on commit, which the test's transaction never reaches.
    with django_capture_on_commit_callbacks(execute=True):
        build_export_world()
    # The test's worker runs the job at once, inside the request: the file comes back.
    text = pdf_text(download(client))
    assert AME in text and BLAAM in text and GAO_HOUSE in text
    job = Job.objects.get(kind="annuaire-pdf")
    assert job.owner is None
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (3, 3)
    assert job.result_name == f"annuaire-osc-{today().isoformat()}.pdf"
    # The same list again: the same file, no new job.
    assert AME in pdf_text(download(client))
    assert Job.objects.count() == 1
    # Once the directory changes, the next request makes a new file.
    with django_capture_on_commit_callbacks(execute=True):
        OrganisationFactory(name="Association Nouvelle de Kayes")
    assert "Association Nouvelle de Kayes" in pdf_text(download(client))
    assert Job.objects.count() == 2


def test_a_long_list_waits_on_a_page_that_follows_the_job(client, long_lists):
    from exports.tasks import PDF_JOB, pdf_job_key
    from jobs import progress

    build_export_world()
    key = pdf_job_key(client.get("/").wsgi_request.GET, "fr")  # an empty query
    job = Job.objects.create(kind=PDF_JOB, owner=None, label="x", params={"key": key})
    progress.report(job.pk, 1, 3)
    response = download(client)
    assert response.status_code == 202
    page = response.content.decode()
    assert f'<a href="{reverse("exports:annuaire_pdf")}">Vérifier si le PDF est prêt</a>' in page
    assert '<progress id="pdf-progress" value="1" max="3">' in page
    assert "Cette liste compte 3 organisations\u00a0: son PDF est en préparation" in page


def test_no_new_job_when_enough_are_waiting(client, long_lists, settings):
    settings.PDF_JOBS_AT_ONCE = 0
    build_export_world()
    response = download(client)
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "Réessayez dans quelques minutes" in response.content.decode()
    assert not Job.objects.exists()


def test_the_list_page_links_to_the_pdf_with_its_filters(client):
    world = build_export_world()
    page = client.get(reverse("directory:organisation_list"), {"zone": world.kayes.pk})
    link = f'href="{reverse("exports:annuaire_pdf")}?zone={world.kayes.pk}"'
    assert link in page.content.decode()


def test_staff_who_see_every_job_see_the_public_ones(staff_client, long_lists):
    build_export_world()
    pdf_text(download(staff_client))
    page = staff_client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert "Téléchargement public" in page
    assert f"Annuaire annuaire-osc-{today().isoformat()}.pdf" in page
