"""Who sees private values: planted private data never reaches the public."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from needs.factories import OrganisationNeedFactory
from needs.visibility import visible_needs
from organisations.factories import (
    ContactChannelFactory,
    ContactPersonFactory,
    OrganisationFactory,
)
from organisations.visibility import (
    visible_channels,
    visible_contact_persons,
    visible_organisations,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted():
    published = OrganisationFactory(status="published")
    draft = OrganisationFactory(status="draft")
    return {
        "published": published,
        "draft": draft,
        "public_phone": ContactChannelFactory(organisation=published, value="+22320000001"),
        "private_phone": ContactChannelFactory(
            organisation=published, value="+22399999999", is_public=False
        ),
        "private_person": ContactPersonFactory(organisation=published, name="Personne Privée"),
        "public_need": OrganisationNeedFactory(organisation=published, is_public=True),
        "private_need": OrganisationNeedFactory(organisation=published, is_public=False),
    }


def test_anonymous_visitors_see_only_public_values(planted):
    anonymous = AnonymousUser()
    assert list(visible_organisations(anonymous)) == [planted["published"]]
    assert list(visible_channels(anonymous)) == [planted["public_phone"]]
    assert list(visible_contact_persons(anonymous)) == []
    assert list(visible_needs(anonymous)) == [planted["public_need"]]


def test_staff_without_the_permission_see_only_public_values(planted, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="x" * 12, is_staff=True)
    assert planted["private_phone"] not in visible_channels(user)
    assert planted["draft"] not in visible_organisations(user)


def test_users_allowed_to_see_private_values_see_everything(planted, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x" * 12, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_private"))
    assert set(visible_organisations(user)) == {planted["published"], planted["draft"]}
    assert planted["private_phone"] in visible_channels(user)
    assert list(visible_contact_persons(user)) == [planted["private_person"]]
    assert planted["private_need"] in visible_needs(user)
