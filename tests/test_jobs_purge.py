"""manage.py purge_jobs: old stopped jobs go, with their files; the others stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user(username="awa", is_staff=True)


def job(owner, status: str, days_ago: int | None, *files: str) -> Job:
    finished = timezone.now() - timedelta(days=days_ago) if days_ago is not None else None
    created = Job.objects.create(
        kind="import",
        owner=owner,
        label=f"{status} {days_ago}",
        status=status,
        finished_at=finished,
    )
    for name in files:
        getattr(created, name).save(f"jobs/{created.pk}/{name}", ContentFile(b"x"))
    return created


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_jobs", *args, stdout=out)
    return out.getvalue()


def test_it_deletes_jobs_stopped_long_ago_with_their_files(owner, media):
    done = job(owner, "done", 40, "result_file")
    failed = job(owner, "failed", 31, "input_file", "error_file")
    task = DBTaskResult.objects.create(
        args_kwargs={},
        task_path="jobs.tasks.run_job",
        backend_name="default",
        run_after=timezone.now(),
    )
    Job.objects.filter(pk=done.pk).update(task_id=str(task.id))

    assert purge() == "2 job(s) older than 30 day(s) deleted, with their files.\n"

    assert not Job.objects.filter(pk__in=[done.pk, failed.pk]).exists()
    assert not DBTaskResult.objects.filter(pk=task.pk).exists()
    assert not (media / "jobs" / str(done.pk)).exists()
    assert not (media / "jobs" / str(failed.pk)).exists()


def test_it_keeps_recent_running_and_waiting_jobs(owner, media):
    recent = job(owner, "done", 2, "result_file")
    running = job(owner, "running", None)
    waiting = job(owner, "queued", None)

    assert purge().startswith("0 job(s)")

    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk, waiting.pk}
    assert default_storage.exists(recent.result_file.name)


def test_days_choose_what_is_old(owner):
    job(owner, "done", 2)
    assert purge("--days", "1").startswith("1 job(s) older than 1 day(s)")


def test_a_negative_number_of_days_is_refused(owner):
    kept = job(owner, "done", 40)
    with pytest.raises(CommandError, match="--days must be 0 or more"):
        purge("--days", "-1")
    assert Job.objects.filter(pk=kept.pk).exists()
