"""SiteSettings now belongs to the core app (core 0001); the table is kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SiteSettings")],
            database_operations=[],
        ),
    ]
