"""SiteSettings moves here from the pages app; its table stays where it is.

State only: the table ``pages_sitesettings`` already exists (pages 0001), so
nothing is created. The content type is renamed so that permissions granted
on it keep working.
"""

import phonenumber_field.modelfields
from django.db import migrations, models


def move_content_type(apps, schema_editor, old="pages", new="core"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=old, model="sitesettings").update(
        app_label=new
    )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="core", new="pages")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SiteSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "brand_name",
                            models.CharField(max_length=100, verbose_name="brand name"),
                        ),
                        (
                            "tagline",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="tagline"
                            ),
                        ),
                        (
                            "main_phone",
                            phonenumber_field.modelfields.PhoneNumberField(
                                max_length=128, region=None, verbose_name="main phone"
                            ),
                        ),
                        (
                            "main_email",
                            models.EmailField(
                                blank=True, max_length=254, verbose_name="main email"
                            ),
                        ),
                        (
                            "address",
                            models.CharField(
                                blank=True,
                                help_text="One line, shown in the footer.",
                                max_length=250,
                                verbose_name="head office address",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "site settings",
                        "verbose_name_plural": "site settings",
                        "db_table": "pages_sitesettings",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
