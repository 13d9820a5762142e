from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import views

# The browser tab and the admin's pages name the product, not "Django".
admin.site.site_title = _("Annuaire OSC Migrations")
admin.site.site_header = _("Annuaire OSC Migrations: staff")

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("health/", views.health, name="health"),
    # Staff pages (dashboard, needs overview, data quality) before the admin's catch-all.
    path("admin/crm/", include("crm.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("exports.api.urls")),
]

# French is served unprefixed, English under /en/.
urlpatterns += i18n_patterns(
    path("", include("directory.urls")),
    path("", include("exports.urls")),
    path("", include("corrections.urls")),
    prefix_default_language=False,
)
