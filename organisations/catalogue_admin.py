"""The admin's import and export buttons of the catalogues (django-import-export)."""

from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX


class CatalogueImportExportMixin(ImportExportMixin):
    """Import and export with preview; CSV (UTF-8, with or without BOM) and Excel files.

    An import creates and changes rows, so it needs both rights on the model; an export
    shows what the changelist shows, so the right to view is enough.
    """

    formats = [CSV, XLSX]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)
