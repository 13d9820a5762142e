"""The catalogues of people served and languages, as issue 19 lists them."""

from django.db import migrations

POPULATIONS = [
    ("migrants-de-retour", "Migrants de retour", "Returnees"),
    ("migrants-expulses", "Migrants expulsés ou refoulés", "Expelled migrants"),
    ("migrants-en-transit", "Migrants en transit", "Migrants in transit"),
    ("deplaces-internes", "Personnes déplacées internes", "Internally displaced people"),
    ("refugies", "Réfugiés", "Refugees"),
    ("femmes", "Femmes", "Women"),
    ("enfants", "Enfants et mineurs non accompagnés", "Children and unaccompanied minors"),
    ("jeunes", "Jeunes", "Youth"),
    ("familles-de-migrants", "Familles de migrants", "Migrants' families"),
    ("diaspora", "Diaspora", "Diaspora"),
    ("immigres", "Immigrés", "Immigrants"),
]

# ISO 639-1 where the language has a code there, ISO 639-2/3 otherwise.
LANGUAGES = [
    ("fr", "Français", "French"),
    ("bm", "Bambara", "Bambara"),
    ("snk", "Soninké", "Soninke"),
    ("ff", "Fulfulde (peul)", "Fulfulde (Fula)"),
    ("son", "Songhaï", "Songhai"),
    ("tmh", "Tamasheq", "Tamasheq"),
    ("ar", "Arabe", "Arabic"),
    ("en", "Anglais", "English"),
]


def add_catalogues(apps, schema_editor):
    PopulationGroup = apps.get_model("services", "PopulationGroup")
    Language = apps.get_model("services", "Language")
    for position, (slug, name, name_en) in enumerate(POPULATIONS, start=1):
        PopulationGroup.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "position": position}
        )
    for position, (code, name, name_en) in enumerate(LANGUAGES, start=1):
        Language.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(add_catalogues, migrations.RunPython.noop)]
