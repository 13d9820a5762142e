"""Which services a user sees: published services of published organisations, or all of
them for those who see private data (the rule of ``organisations.visibility``)."""

from django.db.models import QuerySet

from organisations.visibility import sees_private
from services.models import Service


def visible_services(user=None) -> QuerySet[Service]:
    return services_seen(private=sees_private(user))


def services_seen(private: bool) -> QuerySet[Service]:
    """Every service for those who see private data, else the published ones."""
    services = Service.objects.all()
    return services if private else services.published()
