"""Shared pieces of the outreach tests: staff of each role, organisations with channels."""

from django.contrib.auth.models import Group

from organisations.factories import OrganisationFactory
from organisations.models import ContactChannel, ContactPerson


def staff_member(django_user_model, role: str, **fields):
    user = django_user_model.objects.create_user(
        username=f"{role.lower()}-{django_user_model.objects.count()}",
        password="x" * 12,
        is_staff=True,
        **fields,
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def email(organisation, value: str, *, public: bool = True, position: int = 0, **fields):
    return ContactChannel.objects.create(
        organisation=organisation,
        kind=ContactChannel.Kind.EMAIL,
        value=value,
        is_public=public,
        position=position,
        **fields,
    )


# Private values planted in a record: none may reach an e-mail.
PLANTED = {
    "staff_notes": "NOTE-PRIVEE-ne-pas-rappeler",
    "private_channel": "secretariat.prive@example.org",
    "private_phone": "+22370000001",
    "person_name": "Awa Personne-Privée",
    "person_email": "awa.privee@example.org",
    "person_notes": "NOTE-PERSONNE-confidentielle",
}


def organisation_with_private_values(**fields):
    organisation = OrganisationFactory(staff_notes=PLANTED["staff_notes"], **fields)
    email(organisation, PLANTED["private_channel"], public=False, position=5)
    ContactChannel.objects.create(
        organisation=organisation,
        kind=ContactChannel.Kind.PHONE,
        value=PLANTED["private_phone"],
        is_public=False,
    )
    ContactPerson.objects.create(
        organisation=organisation,
        name=PLANTED["person_name"],
        email=PLANTED["person_email"],
        notes=PLANTED["person_notes"],
    )
    return organisation


def whole_message(message) -> str:
    """Subject, text and HTML of an e-mail of the test outbox."""
    return "\n".join([message.subject, message.body, *(c for c, _t in message.alternatives)])
