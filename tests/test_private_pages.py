"""Pages, downloads and API answers made for a signed-in staff member may hold private values:
no cache may keep them. Anonymous visitors' pages stay cacheable."""

import pytest

from organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PUBLIC_ADDRESSES = ["/", "/organisations/", "/statistiques/", "/api/organisations/"]


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_it_forbids_caching_a_public_page_rendered_for_staff(staff_client, address):
    response = staff_client.get(address)
    assert response.status_code == 200
    assert {"private", "no-store"} <= _cache_control(response)


def test_it_forbids_caching_a_profile_rendered_for_staff(staff_client):
    profile = OrganisationFactory(staff_notes="Ne pas rappeler avant mars").get_absolute_url()
    response = staff_client.get(profile)
    assert response.status_code == 200
    assert {"private", "no-store"} <= _cache_control(response)


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_it_leaves_an_anonymous_visitors_page_cacheable(client, address):
    response = client.get(address)
    assert response.status_code == 200
    assert not {"private", "no-store"} & _cache_control(response)
