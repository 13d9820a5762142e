"""KoboToolbox pulled directly: a saved source, the API read page by page from a fake
server (tests/kobo_fake.py), then the same preview, apply and undo as a file import."""

import re
import socket
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job
from organisations.models import ContactPerson, Organisation
from surveys.kobo.submissions import to_workbook
from surveys.models import ImportBatch, KoboPull, KoboSource
from surveys.reading import read_survey_file
from surveys.service import preview_import
from surveys.undoing import undo_batch
from tests.data.make_reference_export import EXAMPLE_SUBMISSIONS
from tests.import_world import (  # noqa: F401
    english_messages,
    mapping_fixture,
    reference_export,
    world_fixture,
)
from tests.kobo_fake import ASSET_UID, TOKEN, KoboServer, kobo_json, reference_submissions

PERSONS = ["Bakary Traoré", "Fatoumata Sissoko", "Ousmane Diarra"]


@pytest.fixture
def kobo():
    server = KoboServer()
    server.submissions = reference_submissions()
    yield server
    server.close()


@pytest.fixture
def source(kobo, mapping, monkeypatch):
    monkeypatch.setenv("KOBO_TEST_TOKEN", TOKEN)
    return KoboSource.objects.create(
        name="Enquête OSC",
        slug="enquete-osc",
        server_url=kobo.url,
        asset_uid=ASSET_UID,
        mapping=mapping,
        token_variable="KOBO_TEST_TOKEN",
    )


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="awa", password="x" * 12, is_staff=True)


def _pull(*args, language="en"):
    call_command("import_kobo", "enquete-osc", "--user", "awa", "--language", language, *args)


def test_a_pull_reads_every_page_with_the_token_and_imports_the_submissions(
    kobo, source, staff, world, settings, capsys, django_capture_on_commit_callbacks
):
    settings.KOBO_PAGE_SIZE = 2

    with django_capture_on_commit_callbacks(execute=True):
        _pull()

    assert [r["query"]["start"] for r in kobo.requests] == ["0", "2"]
    assert {r["query"]["limit"] for r in kobo.requests} == {"2"}
    assert {r["query"]["format"] for r in kobo.requests} == {"json"}
    assert {r["auth"] for r in kobo.requests} == {f"Token {TOKEN}"}
    # The first pull asks for everything: no filter.
    assert "query" not in kobo.requests[0]["query"]
    assert sorted(Organisation.objects.values_list("acronym", flat=True)) == ["", "AME", "ARDD"]
    assert sorted(ContactPerson.objects.values_list("name", flat=True)) == PERSONS
    source.refresh_from_db()
    pull = KoboPull.objects.get()
    assert source.last_submission_time == "2022-03-14T10:12:03"
    assert source.last_pulled_at == pull.pulled_at
    assert pull.batch == ImportBatch.objects.get()
    assert pull.batch.user == staff
    # The pulled rows are imported: their copy is gone.
    assert not pull.file
    assert default_storage.listdir("kobo-pulls") == ([], [])
    job = Job.objects.get()
    assert (job.kind, job.status, job.owner) == ("kobo-pull", "done", staff)
    assert job.message == (
        "3 submissions pulled and imported: New: 3, Update: 0, Unchanged: 0, "
        "Skipped (exists): 0, Error: 0."
    )
    assert capsys.readouterr().out.startswith("3 submissions pulled and imported: New: 3")


def test_pulled_repeat_groups_give_the_contact_persons_of_the_xlsx_export(kobo, source, world):
    pulled = to_workbook(reference_submissions(), "Enquête OSC")
    exported = reference_export(EXAMPLE_SUBMISSIONS)

    pulled_plan = preview_import(pulled, "pull.xlsx", source.mapping)
    exported_plan = preview_import(exported, "export.xlsx", source.mapping)

    def persons(plan):
        return [(row.name, row.links.get("contacts")) for row in plan.rows]

    assert persons(pulled_plan) == persons(exported_plan)
    assert [len(contacts) for _name, contacts in persons(pulled_plan)] == [1, 2, 0]
    # Every field and link of every row is the same as the export's.
    assert [(r.values, r.links) for r in pulled_plan.rows] == [
        (r.values, r.links) for r in exported_plan.rows
    ]
    # The repeat sheet is linked as the export links it.
    pulled_sheet = read_survey_file(pulled).repeats[0]
    exported_sheet = read_survey_file(exported).repeats[0]
    assert pulled_sheet.name == exported_sheet.name == "contacts"

    def links(sheet):
        columns = [sheet.headers.index(h) for h in ("_index", "_parent_index")]
        return [[cells[i] for i in columns] for _number, cells in sheet.rows]

    assert links(pulled_sheet) == links(exported_sheet) == [["1", "1"], ["2", "2"], ["3", "2"]]
    uuids = pulled_sheet.headers.index("_submission__uuid")
    assert [cells[uuids] for _n, cells in pulled_sheet.rows] == [
        EXAMPLE_SUBMISSIONS[0]["_uuid"],
        EXAMPLE_SUBMISSIONS[1]["_uuid"],
        EXAMPLE_SUBMISSIONS[1]["_uuid"],
    ]


def test_a_repeat_inside_a_repeat_points_at_its_parent_entry():
    submission = {
        "_id": 7,
        "_uuid": "u-7",
        "nom": "A",
        "membres": [
            {"membres/nom": "Awa", "membres/telephones": [{"membres/telephones/numero": "1"}]},
            {
                "membres/nom": "Binta",
                "membres/telephones": [
                    {"membres/telephones/numero": "2"},
                    {"membres/telephones/numero": "3"},
                ],
            },
        ],
    }
    survey = read_survey_file(to_workbook([submission], "Form"))

    members, phones = survey.repeats
    assert members.headers[:4] == ["membres/nom", "_index", "_parent_table_name", "_parent_index"]
    assert [cells[:4] for _n, cells in members.rows] == [
        ["Awa", "1", "Form", "1"],
        ["Binta", "2", "Form", "1"],
    ]
    assert [cells[:4] for _n, cells in phones.rows] == [
        ["1", "1", "membres", "1"],
        ["2", "2", "membres", "2"],
        ["3", "3", "membres", "2"],
    ]


def test_a_second_pull_takes_only_the_submissions_sent_since(kobo, source, staff, world):
    kobo.submissions = reference_submissions()[:2]
    _pull()
    kobo.submissions = reference_submissions()
    kobo.requests.clear()

    _pull()

    assert (
        kobo.requests[0]["query"]["query"] == '{"_submission_time": {"$gt": "2022-03-14T10:12:02"}}'
    )
    second = KoboPull.objects.order_by("pulled_at").last()
    assert second.submissions == 1
    assert second.batch.counts["new"] == 1
    assert Organisation.objects.count() == 3
    source.refresh_from_db()
    assert source.last_submission_time == "2022-03-14T10:12:03"


def test_nothing_new_says_so_and_writes_nothing(kobo, source, staff, world, capsys):
    _pull()
    capsys.readouterr()

    _pull()

    assert capsys.readouterr().out == "No new submissions since 2022-03-14T10:12:03.\n"
    assert ImportBatch.objects.count() == 1


def test_all_pulls_every_submission_again(kobo, source, staff, world):
    _pull()
    kobo.requests.clear()

    _pull("--all")

    assert "query" not in kobo.requests[0]["query"]
    latest = KoboPull.objects.order_by("pulled_at").last()
    assert latest.submissions == 3
    assert latest.batch.counts["unchanged"] == 3


def test_undo_of_a_pull_removes_its_organisations_and_the_next_pull_takes_them_again(
    kobo, source, staff, world
):
    kobo.submissions = reference_submissions()[:1]
    _pull()
    first_time = KoboSource.objects.get().last_pulled_at
    kobo.submissions = reference_submissions()
    _pull()
    batch = KoboPull.objects.order_by("pulled_at").last().batch

    undo_batch(batch, staff)

    assert Organisation.objects.count() == 1
    source.refresh_from_db()
    assert (source.last_pulled_at, source.last_submission_time) == (
        first_time,
        "2022-03-14T10:12:01",
    )
    kobo.requests.clear()
    _pull()
    assert (
        kobo.requests[0]["query"]["query"] == '{"_submission_time": {"$gt": "2022-03-14T10:12:01"}}'
    )
    assert Organisation.objects.count() == 3


def test_attachment_addresses_are_kept_with_the_pull(kobo, source, staff, world, client):
    attachment_url = f"{kobo.url}/api/v2/assets/{ASSET_UID}/data/100001/attachments/1/"
    photo = {
        "download_url": attachment_url,
        "download_large_url": f"{attachment_url}large/",
        "mimetype": "image/jpeg",
        "filename": "enqueteur/attachments/b5d4/3f6c/recepisse-12_10_11.jpg",
        "media_file_basename": "recepisse-12_10_11.jpg",
        "uid": "attWNZNwhXK6HDYVkZJSn9jy",
        "question_xpath": "identification/photo_recepisse",
        "is_deleted": False,
    }
    kobo.submissions[0]["identification/photo_recepisse"] = "recepisse-12_10_11.jpg"
    kobo.submissions[0]["_attachments"] = [photo, {**photo, "uid": "gone", "is_deleted": True}]

    _pull()

    assert KoboPull.objects.get().attachments == [
        {
            "submission_id": 100001,
            "uuid": EXAMPLE_SUBMISSIONS[0]["_uuid"],
            "question": "identification/photo_recepisse",
            "filename": "recepisse-12_10_11.jpg",
            "mimetype": "image/jpeg",
            "download_url": photo["download_url"],
        }
    ]
    client.force_login(staff)
    staff.is_superuser = True
    staff.save()
    page = client.get(reverse("admin:surveys_kobopull_change", args=[KoboPull.objects.get().pk]))
    assert (
        f'<a href="{attachment_url}">recepisse-12_10_11.jpg</a> (image/jpeg)'
        in page.content.decode()
    )


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


ERRORS = {
    "401": (
        lambda kobo, source: KoboSource.objects.filter(pk=source.pk).update(
            token_variable="KOBO_WRONG_TOKEN"
        ),
        "KoboToolbox refused the API token (401)",
    ),
    "403": (lambda kobo, source: setattr(kobo, "mistake", "403"), "may not read the submissions"),
    "404": (
        lambda kobo, source: KoboSource.objects.filter(pk=source.pk).update(asset_uid="aUnknown"),
        "No form aUnknown on {url} (404)",
    ),
    "500": (
        lambda kobo, source: setattr(kobo, "mistake", "500"),
        "KoboToolbox answered with an error (HTTP 500)",
    ),
    "loop": (lambda kobo, source: setattr(kobo, "mistake", "loop"), "the same page twice"),
    "count": (
        lambda kobo, source: setattr(kobo, "mistake", "count"),
        "The server announced 4 submissions but sent 3",
    ),
    "bad json": (
        lambda kobo, source: setattr(kobo, "mistake", "bad json"),
        "not the expected JSON list of submissions",
    ),
    "refused": (
        lambda kobo, source: KoboSource.objects.filter(pk=source.pk).update(
            server_url=f"http://127.0.0.1:{_refused_port()}"
        ),
        "Cannot reach http://127.0.0.1:",
    ),
    "timeout": (lambda kobo, source: setattr(kobo, "delay", 2), "did not answer within 1 seconds"),
    "no token": (
        lambda kobo, source: KoboSource.objects.filter(pk=source.pk).update(
            token_variable="KOBO_UNSET_TOKEN"
        ),
        "The environment variable KOBO_UNSET_TOKEN, which should hold the KoboToolbox API token, "
        "is not set",
    ),
}


@pytest.mark.parametrize("mistake", ERRORS)
def test_a_failed_pull_says_why_and_changes_nothing(
    kobo, source, staff, world, settings, monkeypatch, mistake
):
    settings.KOBO_PAGE_SIZE = 2
    settings.KOBO_TIMEOUT_SECONDS = 1
    monkeypatch.setenv("KOBO_WRONG_TOKEN", "not-the-token")
    monkeypatch.delenv("KOBO_UNSET_TOKEN", raising=False)
    make_mistake, message = ERRORS[mistake]
    make_mistake(kobo, source)

    with pytest.raises(CommandError) as failure:
        _pull()

    assert message.format(url=kobo.url) in str(failure.value)
    assert "nothing was imported" in str(failure.value)
    assert Organisation.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert KoboPull.objects.count() == 0
    source.refresh_from_db()
    assert (source.last_pulled_at, source.last_submission_time) == (None, "")
    assert Job.objects.get().status == "failed"


def test_messages_are_in_french_by_default(kobo, source, staff, world):
    kobo.mistake = "403"

    with pytest.raises(CommandError) as failure:
        _pull(language="fr")

    assert str(failure.value) == (
        f"Le compte du jeton d’API n’a pas le droit de lire les soumissions du formulaire "
        f"{ASSET_UID} (403) ; rien n’a été importé."
    )


def test_rows_in_error_block_the_pull_and_come_as_a_file(kobo, source, staff, world, tmp_path):
    kobo.submissions[1]["activites/zones"] = "Kayess"
    errors = tmp_path / "errors.xlsx"

    with pytest.raises(CommandError) as failure:
        _pull("--errors-file", str(errors))

    assert "Row 3, column 21 (activites/zones): “Kayess” matches nothing known." in str(
        failure.value
    )
    assert str(failure.value).endswith("Rows in error: nothing was imported.")
    in_error = read_survey_file(errors.read_bytes(), "errors.xlsx").main
    zones = in_error.headers.index("activites/zones")
    assert [cells[zones] for _number, cells in in_error.rows] == ["Kayess"]
    assert Organisation.objects.count() == 0
    assert KoboSource.objects.get().last_submission_time == ""


def test_rows_in_error_say_that_set_aside_would_apply_the_valid_ones(kobo, source, staff, world):
    kobo.submissions[1]["activites/zones"] = "Kayess"

    with pytest.raises(CommandError) as failure:
        _pull()

    assert str(failure.value).endswith(
        "2 rows are valid: --set-aside applies them and sets the others aside.\n"
        "Rows in error: nothing was imported."
    )


def test_set_aside_applies_the_valid_submissions_and_writes_the_others_to_correct(
    kobo, source, staff, world, tmp_path, capsys, django_capture_on_commit_callbacks
):
    kobo.submissions[1]["activites/zones"] = "Kayess"
    aside = tmp_path / "aside.xlsx"

    with django_capture_on_commit_callbacks(execute=True):
        _pull("--set-aside", "--set-aside-file", str(aside))

    pull = KoboPull.objects.get()
    batch = pull.batch
    assert (batch.mode, batch.rows_applied, batch.rows_set_aside) == ("set_aside", 2, 1)
    assert sorted(Organisation.objects.values_list("acronym", flat=True)) == ["", "AME"]
    assert sorted(ContactPerson.objects.values_list("name", flat=True)) == ["Ousmane Diarra"]
    out = capsys.readouterr().out
    assert "3 submissions pulled and imported: New: 2, Update: 0, Unchanged: 0, " in out
    assert "2 rows imported, 1 set aside (to download from the import's page)." in out
    assert f"2 rows applied, 1 set aside: written to {aside}, to correct and import again." in out
    # The file written is the one the import keeps, with the row as pulled, its two contact
    # persons and why it was set aside.
    with batch.set_aside_file.open("rb") as stored:
        assert stored.read() == aside.read_bytes()
    survey = read_survey_file(aside.read_bytes(), "aside.xlsx")
    [(_number, cells)], headers = [*survey.main.rows], survey.main.headers
    assert cells[headers.index("activites/zones")] == "Kayess"
    assert cells[headers.index("_uuid")] == kobo.submissions[1]["_uuid"]
    assert cells[-1].startswith("Row 3, column 21 (activites/zones): “Kayess” matches nothing")
    contacts = survey.repeats[0]
    names = contacts.headers.index("contacts/nom_contact")
    assert [cells[names] for _n, cells in contacts.rows] == ["Fatoumata Sissoko", "Bakary Traoré"]

    # Corrected, the file imports as any export of the form.
    workbook = load_workbook(aside)
    workbook.worksheets[0].cell(2, headers.index("activites/zones") + 1).value = "Kayes"
    workbook.save(tmp_path / "corrected.xlsx")
    call_command("import_survey", str(tmp_path / "corrected.xlsx"), "--mapping", "reference")
    assert Organisation.objects.count() == 3
    assert sorted(ContactPerson.objects.values_list("name", flat=True)) == PERSONS

    # Undo is the same as after any pull: what it wrote goes, the markers move back.
    undo_batch(batch, staff)
    assert sorted(Organisation.objects.values_list("acronym", flat=True)) == ["ARDD"]
    assert KoboSource.objects.get().last_submission_time == ""


def test_set_aside_writes_the_rows_next_to_where_the_command_runs(
    kobo, source, staff, world, tmp_path, monkeypatch
):
    kobo.submissions[0]["identification/nom_osc"] = ""
    monkeypatch.chdir(tmp_path)

    _pull("--set-aside")

    pull = KoboPull.objects.get()
    written = tmp_path / pull.file_name.replace(".xlsx", "-set-aside.xlsx")
    assert read_survey_file(written.read_bytes(), written.name).main.headers[-1] == (
        "_reason set aside"
    )
    assert pull.batch.rows_set_aside == 1


def test_a_pull_queued_with_set_aside_sets_rows_aside_in_the_worker(
    kobo, source, staff, world, tmp_path, monkeypatch
):
    kobo.submissions[1]["activites/zones"] = "Kayess"
    monkeypatch.chdir(tmp_path)

    # The tests' task backend runs the queued job at once.
    _pull("--set-aside", "--background")

    job = Job.objects.get()
    batch = KoboPull.objects.get().batch
    assert (batch.rows_applied, batch.rows_set_aside) == (2, 1)
    assert job.message.endswith(
        "2 rows imported, 1 set aside (to download from the import's page)."
    )
    # The worker writes nothing where the command ran: the rows wait on the import's page.
    assert list(tmp_path.iterdir()) == []
    assert batch.set_aside_file


def test_set_aside_refuses_a_pull_whose_every_row_is_in_error(kobo, source, staff, world):
    for submission in kobo.submissions:
        submission["activites/zones"] = "Kayess"

    with pytest.raises(CommandError) as failure:
        _pull("--set-aside")

    assert str(failure.value).endswith("Every row is in error: nothing was imported.")
    assert not ImportBatch.objects.exists()
    assert KoboSource.objects.get().last_submission_time == ""


@pytest.fixture
def importer(client, staff):
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["import_survey", "view_kobosource", "change_kobosource"]
        )
    )
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    return client


def test_the_admin_button_pulls_in_the_background_then_the_preview_imports(
    kobo, source, importer, world
):
    change = importer.get(reverse("admin:surveys_kobosource_change", args=[source.pk]))
    pull_url = reverse("admin:surveys_kobosource_pull", args=[source.pk])
    assert f'href="{pull_url}"' in change.content.decode()
    assert importer.get(pull_url).status_code == 200

    started = importer.post(pull_url, {"on_existing": "fill"})

    assert started["Location"] == reverse("admin:jobs_job_changelist")
    job = Job.objects.get()
    assert job.status == "done"
    assert job.message.startswith("3 submissions pulled: New: 3")
    pull = KoboPull.objects.get()
    assert job.result_url == reverse("admin:surveys_kobosource_preview", args=[pull.pk])
    assert Organisation.objects.count() == 0
    assert KoboSource.objects.get().last_pulled_at is None

    preview = importer.get(job.result_url)

    html = preview.content.decode()
    assert '<tr class="count-new"><th scope="row">New</th><td>3</td></tr>' in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    confirm = importer.post(reverse("admin:surveys_import_confirm"), {"token": token})

    batch = ImportBatch.objects.get()
    assert confirm["Location"] == reverse("admin:surveys_importbatch_change", args=[batch.pk])
    assert Organisation.objects.count() == 3
    pull.refresh_from_db()
    assert pull.batch == batch
    assert KoboSource.objects.get().last_submission_time == "2022-03-14T10:12:03"
    # Imported once: its preview is gone.
    again = importer.get(job.result_url)
    assert again["Location"] == reverse("admin:surveys_kobosource_change", args=[source.pk])


def test_the_admin_preview_of_a_pull_offers_to_set_rows_aside(kobo, source, importer, world):
    kobo.submissions[1]["activites/zones"] = "Kayess"
    importer.post(
        reverse("admin:surveys_kobosource_pull", args=[source.pk]), {"on_existing": "fill"}
    )
    preview = importer.get(Job.objects.get().result_url)

    html = preview.content.decode()
    assert '<input type="radio" name="mode" value="all" checked>' in html
    assert '<input type="radio" name="mode" value="set_aside">' in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    confirm = importer.post(
        reverse("admin:surveys_import_confirm"), {"token": token, "mode": "set_aside"}
    )

    batch = ImportBatch.objects.get()
    assert confirm["Location"] == reverse("admin:surveys_importbatch_change", args=[batch.pk])
    assert (batch.mode, batch.rows_applied, batch.rows_set_aside) == ("set_aside", 2, 1)
    assert KoboPull.objects.get().batch == batch
    assert KoboSource.objects.get().last_submission_time == "2022-03-14T10:12:03"
    download = importer.get(reverse("admin:surveys_import_set_aside", args=[batch.pk]))
    aside = read_survey_file(b"".join(download.streaming_content), "aside.xlsx").main
    zones = aside.headers.index("activites/zones")
    assert [cells[zones] for _number, cells in aside.rows] == ["Kayess"]

    importer.post(reverse("admin:surveys_import_undo", args=[batch.pk]))
    assert Organisation.objects.count() == 0
    assert KoboSource.objects.get().last_submission_time == ""


def test_an_english_admin_pull_fails_in_english(kobo, source, importer, world):
    kobo.mistake = "bad json"

    importer.post(
        reverse("admin:surveys_kobosource_pull", args=[source.pk]), {"on_existing": "fill"}
    )

    assert Job.objects.get().message.startswith("KoboToolbox's answer is not the expected JSON")


def test_a_french_admin_pull_fails_in_french(kobo, source, importer, world):
    kobo.mistake = "bad json"
    importer.cookies["django_language"] = "fr"

    importer.post(
        reverse("admin:surveys_kobosource_pull", args=[source.pk]), {"on_existing": "fill"}
    )

    assert Job.objects.get().message == (
        "La réponse de KoboToolbox n’est pas la liste JSON de soumissions attendue ; rien n’a été "
        "importé."
    )


def test_an_unconfirmed_pull_expires_after_a_day(kobo, source, importer, world):
    importer.post(
        reverse("admin:surveys_kobosource_pull", args=[source.pk]), {"on_existing": "fill"}
    )
    stale = KoboPull.objects.get()
    KoboPull.objects.filter(pk=stale.pk).update(pulled_at=stale.pulled_at - timedelta(days=2))
    kobo.submissions.append(kobo_json({"identification/nom_osc": "Association D"}, 4))

    importer.post(
        reverse("admin:surveys_kobosource_pull", args=[source.pk]), {"on_existing": "fill"}
    )

    stale.refresh_from_db()
    assert not stale.file
    expired = importer.get(reverse("admin:surveys_kobosource_preview", args=[stale.pk]))
    assert expired["Location"] == reverse("admin:surveys_kobosource_change", args=[source.pk])
    # Nothing was imported: the second pull read every submission again.
    assert KoboPull.objects.order_by("pulled_at").last().submissions == 4


def test_pulling_needs_the_import_permission(kobo, source, client, staff):
    staff.user_permissions.add(Permission.objects.get(codename="view_kobosource"))
    client.force_login(staff)

    response = client.post(reverse("admin:surveys_kobosource_pull", args=[source.pk]))

    assert response.status_code == 403
    assert Job.objects.count() == 0


def test_the_token_is_never_stored_nor_shown(source, importer):
    page = importer.get(reverse("admin:surveys_kobosource_change", args=[source.pk])).content
    assert TOKEN.encode() not in page
    assert b"set on this server" in page
    assert TOKEN not in repr(list(KoboSource.objects.values()))


def test_the_token_travels_only_over_https_to_another_server(source, importer):
    data = {
        "name": source.name,
        "slug": source.slug,
        "server_url": "http://kf.kobotoolbox.org",
        "asset_uid": source.asset_uid,
        "mapping": source.mapping.pk,
        "token_variable": "KOBO_TOKEN",
        "pulls-TOTAL_FORMS": 0,
        "pulls-INITIAL_FORMS": 0,
    }
    url = reverse("admin:surveys_kobosource_change", args=[source.pk])

    refused = importer.post(url, data)
    assert "The address must start with https://" in refused.content.decode()

    saved = importer.post(url, {**data, "server_url": "https://eu.kobotoolbox.org"})
    assert saved.status_code == 302
    source.refresh_from_db()
    assert source.server_url == "https://eu.kobotoolbox.org"
    assert source.history.count() == 2


@pytest.mark.parametrize("submissions", [3, 60])
def test_a_pull_runs_a_fixed_number_of_queries(
    kobo, source, staff, world, settings, submissions, django_assert_max_num_queries
):
    settings.KOBO_PAGE_SIZE = 25
    kobo.submissions = [
        kobo_json({"identification/nom_osc": f"Association {n}"}, n)
        for n in range(1, submissions + 1)
    ]

    # The same count for 3 submissions on one page as for 60 on three pages (51 on SQLite,
    # 53 on PostgreSQL, which draws ids from the sequences first).
    with django_assert_max_num_queries(53):
        _pull()

    assert Organisation.objects.count() == submissions
