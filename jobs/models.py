from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "JobQuerySet":
        """Everyone's jobs for those allowed, otherwise the user's own."""
        return self if user.has_perm("jobs.view_all_jobs") else self.filter(owner=user)


class Job(models.Model):
    """A large import or export run by the worker: its state, progress and files.

    Progress while running lives in ``jobs.progress`` (an import writes inside one
    transaction, which no other connection sees until it ends); ``done``/``total`` hold
    the last figures once the job has stopped.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # Which runner runs it: a name each feature app declares with ``jobs.tasks.runner``.
    kind = models.CharField(_("kind"), max_length=40)
    # None: a file of public data prepared for anyone who asks (a public download too long
    # to make in the request), listed only to those who see everyone's jobs.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    label = models.CharField(_("what"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    # What the task needs to run (mapping and options, or the export's query).
    params = models.JSONField(default=dict, editable=False)
    input_file = models.FileField(_("file to import"), blank=True, editable=False)
    result_file = models.FileField(_("result"), blank=True, editable=False)
    result_name = models.CharField(_("file name"), max_length=255, blank=True)
    error_file = models.FileField(_("rows in error"), blank=True, editable=False)
    # A job that needs its input file can run again only while the file is kept.
    needs_input = models.BooleanField(default=False, editable=False)
    # What the job made, when it is a record rather than a file (an import): its admin page.
    result_url = models.CharField(_("result page"), max_length=255, blank=True, editable=False)
    result_label = models.CharField(_("result link"), max_length=255, blank=True, editable=False)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        permissions = [("view_all_jobs", _("Can see and download everyone's background jobs"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="job_status_valid",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED and (not self.needs_input or bool(self.input_file))
