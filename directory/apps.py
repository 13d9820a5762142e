from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Public directory")

    def ready(self) -> None:
        from directory import service_index  # noqa: F401  (its index follows the data)
        from directory.facet_index import found_ids
        from organisations import text_search

        # The admin's organisation search is the lists' own search, for staff.
        text_search.register(found_ids)
