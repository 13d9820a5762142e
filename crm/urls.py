"""Staff pages under /admin/crm/, behind the admin's login."""

from django.contrib import admin
from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("dashboard/", admin.site.admin_view(views.dashboard), name="dashboard"),
    path("needs/", admin.site.admin_view(views.needs_overview), name="needs_overview"),
    path("quality/", admin.site.admin_view(views.data_quality), name="data_quality"),
    path("merge/", admin.site.admin_view(views.merge), name="merge"),
    path("distinct/", admin.site.admin_view(views.mark_distinct), name="mark_distinct"),
    path("files/<path:name>", admin.site.admin_view(views.attachment), name="attachment"),
]
