"""The clinical reviewers, who approve changes to live articles, and what content
editors need to see of the review. Safe to run again: it only adds."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_EDITOR = [
    "pages.view_articlerevision",
    "pages.view_articlechangenote",
]
CLINICAL_REVIEWER = (
    [
        f"pages.{action}_{model}"
        for model in ("article", "reference", "clinician")
        for action in ("add", "change", "view")
    ]
    + [
        f"pages.view_historical{model}"
        for model in ("article", "reference", "clinician")
    ]
    + [
        "pages.delete_reference",
        "pages.publish_article",
        "pages.view_articlerevision",
        "pages.add_articlechangenote",
        "pages.change_articlechangenote",
        "pages.delete_articlechangenote",
        "pages.view_articlechangenote",
    ]
)
GROUPS = {
    "Content editor": CONTENT_EDITOR,
    "Clinical reviewers": CLINICAL_REVIEWER,
}


def add_groups(apps, schema_editor):
    # As in consultations.0002: permissions appear only after the last
    # migration on a fresh database, so create the ones needed here now.
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
        ("pages", "0005_article_revisions_and_change_notes"),
    ]

    operations = [migrations.RunPython(add_groups, migrations.RunPython.noop)]
