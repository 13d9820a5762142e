import pytest
from django.conf import settings
from django.utils import translation

from directory import facet_index, service_index


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a request to an /en/ page leaves English
    active in the thread (LocaleMiddleware does not reset it), which made reverse() in the
    next test give /en/ URLs."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_facet_index():
    """Each test's database is its own: an index built in an earlier test (whose writes
    were rolled back) must not answer for it."""
    facet_index.forget()
    service_index.forget()
    yield
    facet_index.forget()
    service_index.forget()


@pytest.fixture
def staff_client(client, django_user_model):
    """A logged-in superuser (staff with every permission)."""
    user = django_user_model.objects.create_superuser(username="staff", password="x" * 12)
    client.force_login(user)
    client.user = user
    return client
