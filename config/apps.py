"""Third-party apps under the names staff read in the admin (their own are English or raw)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class LoginAttemptsConfig(AxesAppConfig):
    verbose_name = _("Login attempts")


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
