"""The table of the shared cache (rate limits, lockouts, API throttling) when it lives in the
database, the default: `migrate` creates it, so no deployment forgets `createcachetable`."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_tables(apps, schema_editor):
    for cache in settings.CACHES.values():
        if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
            table = schema_editor.quote_name(cache["LOCATION"])
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_redundant_key_indexes")]

    operations = [migrations.RunPython(create_cache_tables, drop_cache_tables, elidable=False)]
