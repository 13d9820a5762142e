"""The organisation form with optimistic locking: an edit made from a version that
someone else has saved over since is refused, with what they changed."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import date as format_date
from django.utils.translation import gettext as _

from organisations.history import changes_since
from organisations.models import Organisation


class OrganisationAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Organisation
        fields = []  # The admin's fieldsets choose the fields.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The stored version, not the instance's: a revert form carries an old instance.
            self.fields["seen_version"].initial = self._stored_version(lock=False)
            self.fields["seen_version"].required = True

    def _stored_version(self, lock: bool) -> int | None:
        rows = Organisation.objects.filter(pk=self.instance.pk)
        if lock:
            # Held until the admin's transaction commits, so two saves cannot interleave.
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned_data = super().clean()
        seen = cleaned_data.get("seen_version")
        if not self.instance.pk or seen is None:
            return cleaned_data
        stored = self._stored_version(lock=True)
        if stored is not None and stored != seen:
            raise ValidationError(stale_edit_messages(self.instance, seen))
        return cleaned_data


def stale_edit_messages(organisation: Organisation, seen_version: int) -> list[str]:
    changes = changes_since(organisation, seen_version)
    messages = [
        _(
            "This organisation was saved by %(users)s on %(date)s, after you opened it. "
            "Your changes were not saved (they are still in the form below): reload the "
            "page to see the current version, then make them again."
        )
        % {
            "users": ", ".join(changes.users) or _("another process"),
            "date": format_date(changes.last_saved, "DATETIME_FORMAT")
            if changes.last_saved
            else "?",
        }
    ]
    empty = _("(empty)")
    messages += [
        _("%(field)s: “%(old)s” became “%(new)s”.")
        % {
            "field": change.field.capitalize(),
            "old": empty if change.old in (None, "") else change.old,
            "new": empty if change.new in (None, "") else change.new,
        }
        for change in changes.fields
    ]
    messages += [
        _("%(part_type)s “%(part)s”: %(change)s.")
        % {
            "part_type": part.part_type.capitalize(),
            "part": part.part,
            "change": part_change_labels().get(part.change, part.change),
        }
        for part in changes.parts
    ]
    return messages


def part_change_labels() -> dict[str, str]:
    return {"created": _("added"), "changed": _("changed"), "deleted": _("removed")}
