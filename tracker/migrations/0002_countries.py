"""Fill the country table from ISO 3166-1 (pycountry), so every country carries its alpha-3 code."""

from django.db import migrations


def load_countries(apps, schema_editor):
    import pycountry

    Country = apps.get_model("tracker", "Country")
    for entry in pycountry.countries:
        name = getattr(entry, "common_name", None) or entry.name
        Country.objects.update_or_create(iso3=entry.alpha_3, defaults={"iso2": entry.alpha_2, "name": name})


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]
    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
