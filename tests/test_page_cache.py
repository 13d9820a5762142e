"""The public page cache: anonymous visitors get a stored copy until the data change."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from demo.generator import generate
from organisations.factories import OrganisationFactory
from pagecache.stamp import current_version
from surveys.models import ImportBatch, ImportMapping

pytestmark = pytest.mark.django_db

LIST = reverse("directory:organisation_list")


@pytest.fixture(autouse=True)
def page_cache(settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def test_a_repeated_page_costs_one_query(client, django_assert_max_num_queries):
    OrganisationFactory(name="Aracem", slug="aracem")
    first = client.get(LIST)
    with django_assert_max_num_queries(1):  # the data-version stamp
        again = client.get(LIST)
    assert again.status_code == 200
    assert again.content == first.content
    assert b"Aracem" in again.content


def test_an_edited_organisation_shows_on_the_next_request(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory(name="Aracem", slug="aracem")
    profile = reverse("directory:organisation_detail", args=["aracem"])
    assert b"Aracem" in client.get(LIST).content
    assert b"Aracem" in client.get(profile).content

    with django_capture_on_commit_callbacks(execute=True):
        organisation.name = "Association renamed"
        organisation.save()

    assert b"Association renamed" in client.get(LIST).content
    assert b"Association renamed" in client.get(profile).content


def test_a_deleted_organisation_leaves_the_cached_list(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory(name="Aracem", slug="aracem")
    assert b"Aracem" in client.get(LIST).content

    with django_capture_on_commit_callbacks(execute=True):
        organisation.delete()

    assert b"Aracem" not in client.get(LIST).content


def test_a_bulk_demo_generation_bumps_the_version_once(django_capture_on_commit_callbacks):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True):
        generate(3, seed=1)
    assert current_version() == before + 1


def test_nothing_is_stored_before_the_write_commits(client, django_capture_on_commit_callbacks):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=False):
        OrganisationFactory(name="Aracem", slug="aracem")
        assert current_version() == before


def test_staff_pages_are_neither_read_from_nor_written_to_the_cache(
    client, staff_client, django_user_model
):
    OrganisationFactory(name="Aracem", slug="aracem")
    OrganisationFactory(name="Draft Organisation", slug="draft", status="draft")
    anonymous = client.__class__()
    assert b"Draft Organisation" not in anonymous.get(LIST).content
    # The superuser sees private data: the anonymous copy must not be served to it...
    assert b"Draft Organisation" in staff_client.get(LIST).content
    # ...nor its page to the next anonymous visitor.
    assert b"Draft Organisation" not in client.__class__().get(LIST).content


def test_a_user_who_may_see_private_data_is_not_served_a_cached_page(client, django_user_model):
    OrganisationFactory(name="Draft Organisation", slug="draft", status="draft")
    assert b"Draft Organisation" not in client.get(LIST).content
    user = django_user_model.objects.create_user(username="viewer", password="x" * 12)
    user.user_permissions.add(Permission.objects.get(codename="view_private"))
    client.force_login(user)
    assert b"Draft Organisation" in client.get(LIST).content


def test_languages_are_stored_apart(client):
    OrganisationFactory(name="Aracem", slug="aracem")
    french = client.get(LIST)
    english = client.get("/en" + LIST)
    assert english.status_code == 200
    assert english.content != french.content
    assert english.content == client.get("/en" + LIST).content


def test_the_admins_bulk_publication_shows_on_the_next_request(
    client, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = OrganisationFactory(name="Draft Organisation", slug="draft", status="draft")
    assert b"Draft Organisation" not in client.get(LIST).content

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:organisations_organisation_changelist"),
            {"action": "publish", "_selected_action": [draft.pk]},
        )
    assert response.status_code == 302

    assert b"Draft Organisation" in client.get(LIST).content


def test_a_survey_import_batch_bumps_the_version(django_capture_on_commit_callbacks):
    # apply_plan and undo_batch write with bulk_create/COPY (no signals), then save their
    # ImportBatch in the same transaction.
    mapping = ImportMapping.objects.create(name="Questionnaire", slug="q", definition="")
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True):
        ImportBatch.objects.create(
            mapping=mapping,
            mapping_definition="",
            file_name="enquete.xlsx",
            checksum="0" * 64,
            on_existing="skip",
            applied_at=timezone.now(),
        )
    assert current_version() == before + 1
