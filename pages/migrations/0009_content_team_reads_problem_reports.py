"""Readers' problem reports: the content groups may read and close them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODES = ["pages.view_problemreport", "pages.change_problemreport"]
GROUPS = {"Content editor": CODES, "Clinical reviewers": CODES}


def grant(apps, schema_editor):
    # As in pages.0006: on a fresh database the permissions do not exist yet.
    app_config = apps.get_app_config("pages")
    original = getattr(app_config, "models_module", None)
    app_config.models_module = True
    try:
        create_permissions(
            app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps
        )
    finally:
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0008_problem_reports"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
