from django.urls import path, register_converter

from exports import views


class TableFormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TableFormatConverter, "table_format")

app_name = "exports"

urlpatterns = [
    path("exports/annuaire.<table_format:fmt>", views.annuaire, name="annuaire"),
    path("exports/annuaire.pdf", views.annuaire_pdf, name="annuaire_pdf"),
    path("exports/organisations.<table_format:fmt>", views.full, name="full"),
    path("exports/organisations-hxl.csv", views.hxl, name="hxl"),
    path("exports/3w-hxl.csv", views.three_w, name="three_w"),
    path("exports/hsds.zip", views.hsds, name="hsds"),
]
