"""Keep Organisation.search_text in step with the aliases and zones it folds in."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from organisations.models import OrganisationAlias, OrganisationZone


@receiver([post_save, post_delete], sender=OrganisationAlias)
@receiver([post_save, post_delete], sender=OrganisationZone)
def refresh_organisation_search_text(sender, instance, raw=False, **kwargs):
    if raw:
        return
    organisation = instance.organisation.__class__.objects.filter(pk=instance.organisation_id)
    org = organisation.first()
    if org is not None:
        org.refresh_search_text()
