"""manage.py import_kobo SOURCE: pull a KoboToolbox form's new submissions and import them.

The pull is a background job like the admin's (it shows on the jobs page); by default it
runs here and now, and is applied whole or not at all, or with --set-aside the valid rows,
the others written to a file to correct and import again. See README, "KoboToolbox".
"""

from pathlib import Path, PurePath

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from common.numbers import is_plain_integer
from jobs.models import Job
from surveys.kobo.pulling import pull_params, run_pull_now, start_pull
from surveys.management import import_mode, set_aside_options, write_set_aside
from surveys.mapping import CREATABLE
from surveys.models import ImportBatch, KoboPull, KoboSource


class Command(BaseCommand):
    help = (
        "Pull a KoboToolbox form's new submissions, preview them and apply all or none, or "
        "(--set-aside) the valid rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Code (or number) of a saved KoboToolbox source.")
        parser.add_argument("--user", required=True, help="User name the pull runs as.")
        parser.add_argument(
            "--all", action="store_true", help="Pull every submission again, not only new ones."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Pull and preview only; the preview can be confirmed in the admin.",
        )
        parser.add_argument("--on-existing", choices=ImportBatch.OnExisting.values, default="fill")
        parser.add_argument(
            "--allow-create",
            nargs="*",
            choices=CREATABLE,
            default=[],
            help="Catalogues in which unknown values may be created.",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the pull for the worker (manage.py jobs_worker) instead of running it.",
        )
        parser.add_argument("--errors-file", type=Path, help="Write the rows in error here.")
        set_aside_options(parser, "PULL-set-aside.xlsx in the current directory")
        parser.add_argument("--language", choices=["fr", "en"], default="fr")

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options):
        reference = options["source"]
        found = KoboSource.objects.filter(slug=reference)
        if is_plain_integer(reference):
            found = found | KoboSource.objects.filter(pk=int(reference))
        source = found.select_related("mapping").first()
        if source is None:
            raise CommandError(
                _("No KoboToolbox source has the code “%(code)s”.") % {"code": reference}
            )
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": options["user"]})
        params = pull_params(
            source,
            full=options["all"],
            apply=not options["dry_run"],
            options={
                "on_existing": options["on_existing"],
                "allow_create": list(options["allow_create"]),
                "mode": import_mode(options),
            },
        )
        if options["background"]:
            job = start_pull(user, source, params)
            self.stdout.write(
                _("Pull queued as job #%(job)s; its progress is on the jobs page.")
                % {"job": job.pk}
            )
            return
        job = run_pull_now(user, source, params)
        if job.status == Job.Status.FAILED:
            if options["errors_file"] and job.error_file:
                with job.error_file.open("rb") as errors:
                    options["errors_file"].write_bytes(errors.read())
                self.stderr.write(
                    _("Rows in error written to %(path)s") % {"path": options["errors_file"]}
                )
            raise CommandError(job.message)
        self.stdout.write(job.message)
        if options["set_aside"]:
            self._write_set_aside(job, options["set_aside_file"])
        if options["dry_run"] and job.result_url:
            self.stdout.write(
                _("Dry run: nothing was written. To apply this pull, confirm its preview: %(url)s")
                % {"url": job.result_url}
            )

    def _write_set_aside(self, job: Job, target: Path | None) -> None:
        """The rows the pull's import set aside, if any, to correct and import again."""
        pull = KoboPull.objects.filter(job=job).select_related("batch").first()
        if pull is None or pull.batch is None or not pull.batch.rows_set_aside:
            return
        name = f"{PurePath(pull.file_name).stem}-set-aside.xlsx"
        write_set_aside(self.stdout, pull.batch, target or Path(name))
