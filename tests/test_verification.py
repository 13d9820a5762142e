"""Recording that an organisation's information was confirmed true."""

from datetime import timedelta

import pytest
from django.utils import timezone

from organisations.factories import OrganisationFactory
from organisations.models import Organisation
from organisations.verification import record_verification, verification_cutoff

pytestmark = pytest.mark.django_db


def test_it_records_when_and_by_whom_in_the_history():
    organisation = OrganisationFactory()

    record_verification(organisation, Organisation.VerifiedBy.ORGANISATION, reason="Lien n° 3")

    organisation.refresh_from_db()
    assert organisation.verified_by == "organisation"
    assert timezone.now() - organisation.verified_at < timedelta(minutes=1)
    latest = organisation.history.first()
    assert latest.verified_by == "organisation"
    assert latest.history_change_reason == "Lien n° 3"


def test_it_lists_records_never_verified_or_verified_over_a_year_ago():
    now = timezone.now()
    never = OrganisationFactory(name="Jamais vérifiée")
    old = OrganisationFactory(name="Vérifiée il y a 13 mois")
    recent = OrganisationFactory(name="Vérifiée le mois dernier")
    record_verification(old, "staff", when=now - timedelta(days=395))
    record_verification(recent, "staff", when=now - timedelta(days=30))

    due = Organisation.objects.not_verified_since(verification_cutoff(now))

    assert set(due) == {never, old}
    assert recent not in due
