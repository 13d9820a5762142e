from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Follow-up (CRM)")

    def ready(self):
        from crm.roles import sync_roles_after_migrate

        # After every migrate, once every app's permissions exist (see crm/roles.py).
        post_migrate.connect(sync_roles_after_migrate, sender=self)
