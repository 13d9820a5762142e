"""A profile's "Last update" is the date of its data: the report's year for a record nobody
has edited since the seed, the day of the last change someone made otherwise; never the day
the seed happened to be loaded on this machine."""

import datetime

import pytest
from django.utils import timezone

from organisations.factories import OrganisationFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _last_update(client, organisation) -> str:
    page = client.get(organisation.get_absolute_url()).content.decode()
    return page[page.index("Dernière mise à jour") :].split("</time>")[0]


def test_it_shows_the_reports_year_for_a_record_nobody_edited(client):
    organisation = OrganisationFactory(source=SourceFactory(year=2022))
    assert _last_update(client, organisation).endswith('<time datetime="2022">2022')


def test_it_shows_the_day_of_the_last_change_a_person_made(client, django_user_model):
    organisation = OrganisationFactory(source=SourceFactory(year=2022))
    editor = django_user_model.objects.create_user("awa", password="x" * 12, is_staff=True)
    organisation.description = "Accueil des migrants de retour à Kayes."
    organisation._history_user = editor
    organisation.save()
    organisation.history.filter(history_user=editor).update(
        history_date=datetime.datetime(2026, 3, 14, 10, tzinfo=datetime.UTC)
    )
    assert _last_update(client, organisation).endswith("14 mars 2026")


def test_it_shows_the_record_date_without_a_source_or_an_editor(client):
    organisation = OrganisationFactory(source=None)
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert f'<time datetime="{today}' in _last_update(client, organisation)
