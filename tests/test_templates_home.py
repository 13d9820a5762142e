"""Every template of the project lives in the project's ``templates/`` folder (README,
"Layout"): an app's pages under ``templates/<app>/``, its admin pages under
``templates/admin/<app>/``, overrides of Django's admin under ``templates/admin/``."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template.loader import get_template

ROOT = Path(settings.BASE_DIR)


def _our_apps():
    return [app for app in apps.get_app_configs() if Path(app.path).parent == ROOT]


def test_it_keeps_no_template_inside_an_app():
    ours = _our_apps()
    assert {app.label for app in ours} >= {"organisations", "directory", "surveys", "jobs", "crm"}
    assert [app.label for app in ours if (Path(app.path) / "templates").exists()] == []


def test_it_finds_the_admin_pages_of_imports_and_jobs_in_the_project_folder():
    for name in ("admin/jobs/job_list.html", "admin/surveys/importbatch/upload.html"):
        assert Path(get_template(name).origin.name) == ROOT / "templates" / name
