"""The one place that decides who sees what.

Every public page, export and API builds its querysets through these functions (and
``needs.visibility`` for needs, which organisations know nothing of).
Anonymous visitors and users without the ``organisations.view_private`` permission
see published organisations, public channels, persons who consented to be
published and public needs; staff allowed to see private data see everything.
"""

from django.db.models import QuerySet

from organisations.models import ContactChannel, ContactPerson, Organisation

PRIVATE_PERMISSION = "organisations.view_private"


def sees_private(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(PRIVATE_PERMISSION))


def visible_organisations(user=None) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    return organisations if sees_private(user) else organisations.published()


def visible_channels(user=None) -> QuerySet[ContactChannel]:
    channels = ContactChannel.objects.all()
    return channels if sees_private(user) else channels.public()


def visible_contact_persons(user=None) -> QuerySet[ContactPerson]:
    persons = ContactPerson.objects.all()
    return persons if sees_private(user) else persons.public()
