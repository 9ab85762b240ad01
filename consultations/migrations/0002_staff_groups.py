"""Create the staff groups. Safe to run again: it only adds what is missing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRONT_DESK = [
    "consultations.view_consultationrequest",
    "consultations.change_consultationrequest",
    "consultations.add_callattempt",
    "consultations.change_callattempt",
    "consultations.view_callattempt",
    "locations.view_waitlistentry",
    "locations.view_location",
]
CLINIC_MANAGER = FRONT_DESK + [
    "consultations.export_consultationrequest",
    "locations.change_location",
    "locations.change_waitlistentry",
    "locations.view_openinghours",
    "locations.add_openinghours",
    "locations.change_openinghours",
    "locations.delete_openinghours",
    "locations.view_holidayclosure",
    "locations.add_holidayclosure",
    "locations.change_holidayclosure",
    "locations.delete_holidayclosure",
]
CONTENT_EDITOR = [
    f"pages.{action}_{model}"
    for model in ("article", "reference", "clinician")
    for action in ("add", "change", "view")
] + [
    f"pages.view_historical{model}" for model in ("article", "reference", "clinician")
]
GROUPS = {
    "Front desk": FRONT_DESK,
    "Clinic manager": CLINIC_MANAGER,
    "Content editor": CONTENT_EDITOR,
}


def create_groups(apps, schema_editor):
    # On a fresh database permissions only appear after the last migration
    # (post_migrate); create the ones these groups need now.
    for label in ("consultations", "locations", "pages"):
        app_config = apps.get_app_config(label)
        # create_permissions skips app configs without a models module, which
        # is what the historical (migration-state) app configs look like.
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
        ("consultations", "0001_initial"),
        ("locations", "0001_initial"),
        ("pages", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
