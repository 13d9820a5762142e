"""Public pages and the admin show the site's icon, served from the site's static files."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["/", "/en/organisations/", "/admin/login/"])
def test_it_links_an_icon_the_site_serves(client, address):
    page = client.get(address).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page).group(1)
    assert icon == "/static/favicon.svg"
    # collectstatic then serves it (whitenoise, as every static file).
    assert Path(finders.find("favicon.svg")).read_text().startswith("<svg")
