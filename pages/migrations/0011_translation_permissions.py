"""Clinical reviewers look after the translations too (a live article's
Spanish text is clinical content); content editors may read them. Safe to
run again: it only adds."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Content editor": ["view_articletranslation"],
    "Clinical reviewers": [
        "add_articletranslation",
        "change_articletranslation",
        "delete_articletranslation",
        "view_articletranslation",
        "view_historicalarticletranslation",
    ],
}


def add_permissions(apps, schema_editor):
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
    for name, codenames in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="pages", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0010_article_translations"),
    ]

    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
