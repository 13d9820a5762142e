"""manage.py undo_survey_import ID: undo a whole import, unless later edits touched it."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from surveys.management import language_option
from surveys.models import ImportBatch
from surveys.undoing import UndoRefused, undo_batch


class Command(BaseCommand):
    help = "Undo a survey import: delete what it created, restore what it changed."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--user", help="User name recorded as the one who undid it.")
        language_option(parser)

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self._undo(options)

    def _undo(self, options):
        batch = ImportBatch.objects.filter(pk=options["batch_id"]).first()
        if batch is None:
            raise CommandError(_("No import #%(id)s.") % {"id": options["batch_id"]})
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user named %(name)s.") % {"name": options["user"]})
        try:
            undo_batch(batch, user)
        except UndoRefused as exc:
            raise CommandError(
                _("Undo refused: %(reasons)s") % {"reasons": " ".join(exc.reasons)}
            ) from None
        self.stdout.write(self.style.SUCCESS(_("Import #%(id)s undone.") % {"id": batch.pk}))
