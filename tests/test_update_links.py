"""Personal update links: one organisation, 30 days, revocable; the database keeps no token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from corrections.models import LinkRefused, UpdateLink
from organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_it_opens_its_organisations_page_and_records_the_use(client):
    organisation = OrganisationFactory(name="Association des Rapatriés de Kayes")
    link, token = UpdateLink.objects.issue(organisation)

    response = client.get(UpdateLink.path_for(token))

    assert response.status_code == 200
    assert "Association des Rapatriés de Kayes" in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    link.refresh_from_db()
    assert link.last_used_at is not None


def test_it_stores_only_a_digest_of_the_token():
    link, token = UpdateLink.objects.issue(OrganisationFactory())

    assert token not in link.token_digest
    assert not UpdateLink.objects.filter(token_digest=token).exists()
    assert UpdateLink.objects.resolve(token) == link


def test_it_refuses_an_expired_link_with_a_clear_page(client):
    link, token = UpdateLink.objects.issue(OrganisationFactory())
    UpdateLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(UpdateLink.path_for(token))

    assert response.status_code == 410
    assert "a expiré" in response.content.decode()


def test_it_expires_thirty_days_after_it_is_issued():
    link, _ = UpdateLink.objects.issue(OrganisationFactory())

    assert timedelta(days=29, hours=23) < link.expires_at - timezone.now() <= timedelta(days=30)


def test_it_refuses_a_revoked_link(client):
    link, token = UpdateLink.objects.issue(OrganisationFactory())
    link.revoke()

    response = client.get(UpdateLink.path_for(token))

    assert response.status_code == 410
    assert "retiré" in response.content.decode()
    with pytest.raises(LinkRefused) as refusal:
        UpdateLink.objects.resolve(token)
    assert refusal.value.reason == LinkRefused.REVOKED


def test_it_refuses_an_unknown_token_without_naming_any_organisation(client):
    organisation = OrganisationFactory(name="Organisation Témoin")
    UpdateLink.objects.issue(organisation)

    response = client.get(UpdateLink.path_for("not-a-real-token"))

    assert response.status_code == 404
    assert "Organisation Témoin" not in response.content.decode()
