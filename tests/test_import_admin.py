"""The staff import flow in the admin: upload, preview, confirm, undo."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from surveys.models import ImportBatch, ImportMapping
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    DATA,
    csv_bytes,
    english_messages,
    mapping_fixture,
    reference_export,
    workbook_sheets,
    world_fixture,
)

UPLOAD_URL = reverse("admin:surveys_import")


@pytest.fixture
def importer(client, django_user_model):
    """Staff with the import permission only (not a superuser)."""
    user = django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_survey"))
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _upload(client, mapping, content, name="kobo.xlsx", **fields):
    data = {
        "file": SimpleUploadedFile(name, content),
        "mapping": mapping.pk,
        "on_existing": "fill",
        **fields,
    }
    return client.post(UPLOAD_URL, data)


def _token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_upload_preview_confirm_undo(importer, mapping, world):
    OrganisationFactory(name="Association Malienne des Expulsées")
    page = importer.get(UPLOAD_URL)
    assert page.status_code == 200

    preview = _upload(importer, mapping, reference_export(EXAMPLE_SUBMISSIONS))

    assert preview.status_code == 200
    html = preview.content.decode()
    assert Organisation.objects.count() == 1
    assert '<tr class="count-new"><th scope="row">New</th><td>3</td></tr>' in html
    assert "Row 2 “Association Malienne des Expulsés” is" in html
    assert "“Kayes” read as Kayes (region, Mali)" in html
    assert "Confirm and import" in html

    confirm = importer.post(reverse("admin:surveys_import_confirm"), {"token": _token(preview)})

    batch = ImportBatch.objects.get()
    assert confirm.status_code == 302
    assert confirm["Location"] == reverse("admin:surveys_importbatch_change", args=[batch.pk])
    assert Organisation.objects.count() == 4
    assert batch.user.username == "awa"
    detail = importer.get(confirm["Location"])
    assert "Undo this import" in detail.content.decode()

    undo_page = importer.get(reverse("admin:surveys_import_undo", args=[batch.pk]))
    assert "organisations.Organisation: 3 created" in undo_page.content.decode()
    undone = importer.post(reverse("admin:surveys_import_undo", args=[batch.pk]))

    assert undone.status_code == 302
    assert Organisation.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == "undone"


def test_a_confirmed_suggestion_merges_into_the_existing_organisation(importer, mapping, world):
    existing = OrganisationFactory(name="Association Malienne des Expulsées")
    preview = _upload(importer, mapping, reference_export(EXAMPLE_SUBMISSIONS[:1]))

    importer.post(
        reverse("admin:surveys_import_confirm"),
        {"token": _token(preview), "merge": [f"2:{existing.pk}"]},
    )

    assert Organisation.objects.count() == 1
    existing.refresh_from_db()
    assert existing.year_founded == 1996


def test_a_directory_changed_since_the_preview_gets_a_new_preview(importer, mapping, world):
    preview = _upload(importer, mapping, reference_export(EXAMPLE_SUBMISSIONS))
    # Meanwhile a colleague adds one of the file's organisations.
    OrganisationFactory(name="Association des Ressortissants de Diéma pour le Développement")

    response = importer.post(reverse("admin:surveys_import_confirm"), {"token": _token(preview)})

    html = response.content.decode()
    assert response.status_code == 200
    assert "The directory changed since the preview" in html
    assert '<tr class="count-update"><th scope="row">Update</th><td>1</td></tr>' in html
    assert Organisation.objects.count() == 1
    assert ImportBatch.objects.count() == 0

    importer.post(reverse("admin:surveys_import_confirm"), {"token": _token(response)})
    assert Organisation.objects.count() == 3


def test_rows_in_error_block_the_import_and_can_be_downloaded(importer, mapping, world):
    submissions = [*EXAMPLE_SUBMISSIONS, {"identification/nom_osc": "=cmd|' /C calc'!A0"}]
    preview = _upload(importer, mapping, reference_export(submissions))

    html = preview.content.decode()
    assert "Confirm and import" not in html
    assert "Column 3 (identification/nom_osc): The cell holds a formula" in html
    link = re.search(r'href="([^"]*import/errors/[^"]*)"', html).group(1).replace("&amp;", "&")
    download = importer.get(link)

    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="kobo-errors.xlsx"' in download["Content-Disposition"]
    sheets = workbook_sheets(download.content)
    rows = sheets["Questionnaire OSC"]
    assert rows[0][:3] == ["start", "end", "identification/nom_osc"]
    assert len(rows) == 2
    # A text cell: opening the file does not run the formula, and it reads back as written.
    assert rows[1][:3] == ["", "", "=cmd|' /C calc'!A0"]
    assert sheets["errors"] == [
        ["sheet", "row", "row of the original file", "error"],
        [
            "Questionnaire OSC",
            "2",
            "5",
            "Row 2, column 3 (identification/nom_osc): The cell holds a formula "
            "(=cmd|' /C calc'!A0); paste values only.",
        ],
    ]
    # Confirming anyway writes nothing.
    importer.post(reverse("admin:surveys_import_confirm"), {"token": _token(preview)})
    assert Organisation.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_a_bad_file_is_refused_on_the_upload_page(importer, mapping, world):
    response = _upload(importer, mapping, b"%PDF-1.4\x00\x00", name="report.pdf")
    assert response.status_code == 200
    assert "This file is not a spreadsheet." in response.content.decode()
    assert Organisation.objects.count() == 0


def test_a_file_over_the_limit_is_refused(importer, mapping, world, settings):
    settings.SURVEY_IMPORT_MAX_BYTES = 100
    response = _upload(importer, mapping, csv_bytes([["Nom de l'organisation"], ["A" * 200]]))
    assert "the limit is 0.0 MB" in response.content.decode()


def test_staff_without_the_permission_cannot_import(client, django_user_model, mapping):
    user = django_user_model.objects.create_user(username="b", password="x" * 12, is_staff=True)
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(reverse("admin:surveys_import_confirm"), {"token": "x"}).status_code == 403


def test_a_token_from_another_user_is_refused(importer, mapping, world, client, django_user_model):
    preview = _upload(importer, mapping, reference_export(EXAMPLE_SUBMISSIONS))
    token = _token(preview)
    other = django_user_model.objects.create_superuser(username="other", password="x" * 12)
    importer.force_login(other)
    response = importer.post(reverse("admin:surveys_import_confirm"), {"token": token})
    assert response.status_code == 403
    assert Organisation.objects.count() == 0


def test_a_mapping_can_be_loaded_from_a_file_in_the_admin(staff_client, world):
    definition = (DATA / "reference_mapping.yaml").read_bytes()
    response = staff_client.post(
        reverse("admin:surveys_importmapping_add"),
        {
            "name": "Référence",
            "slug": "reference",
            "definition": "",
            "upload": SimpleUploadedFile("reference.yaml", definition),
        },
    )
    assert response.status_code == 302
    assert ImportMapping.objects.get().definition == definition.decode()


def test_a_wrong_mapping_is_refused_in_the_admin(staff_client):
    staff_client.cookies["django_language"] = "en"
    response = staff_client.post(
        reverse("admin:surveys_importmapping_add"),
        {"name": "X", "slug": "x", "definition": "fields: {colour: couleur}"},
    )
    assert response.status_code == 200
    assert "which column holds the name" in response.content.decode()
    assert ImportMapping.objects.count() == 0


def test_the_preview_page_takes_a_fixed_number_of_queries(
    importer, mapping, world, django_assert_max_num_queries
):
    submissions = [{"identification/nom_osc": f"Association {n}"} for n in range(40)]
    content = reference_export(submissions)
    with django_assert_max_num_queries(25):
        response = _upload(importer, mapping, content)
    assert response.status_code == 200


def test_a_collision_at_write_time_is_reported_not_a_server_error(
    importer, mapping, world, monkeypatch
):
    from django.db import IntegrityError

    from surveys import admin as survey_admin

    def collide(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    preview = _upload(importer, mapping, reference_export(EXAMPLE_SUBMISSIONS))
    monkeypatch.setattr(survey_admin, "apply_import", collide)
    response = importer.post(
        reverse("admin:surveys_import_confirm"), {"token": _token(preview)}, follow=True
    )
    assert "The import could not be written (duplicate key value" in response.content.decode()
    assert Organisation.objects.count() == 0


def test_unconfirmed_uploads_are_purged_once_expired(importer, mapping, world, monkeypatch):
    from django.core.files.storage import default_storage

    from surveys import admin as survey_admin

    def stored():
        return set(default_storage.listdir("survey-imports")[1])

    before = stored() if default_storage.exists("survey-imports") else set()
    first = _upload(importer, mapping, reference_export(EXAMPLE_SUBMISSIONS))
    assert len(stored() - before) == 1
    # Every stored upload counts as expired: the next upload removes the first one.
    monkeypatch.setattr(survey_admin, "TOKEN_MAX_AGE", -1)
    _upload(importer, mapping, reference_export(EXAMPLE_SUBMISSIONS[:1]))
    assert len(stored()) == 1

    monkeypatch.undo()
    response = importer.post(
        reverse("admin:surveys_import_confirm"), {"token": _token(first)}, follow=True
    )
    assert "This preview has expired; upload the file again." in response.content.decode()
    assert Organisation.objects.count() == 0
