from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"
    verbose_name = _("Background work")

    def ready(self):
        # Each app's tasks module declares the runner of its kind of job (jobs/tasks.py).
        autodiscover_modules("tasks")
