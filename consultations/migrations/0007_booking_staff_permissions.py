"""Let the shipped staff groups see (front desk) and publish (managers) call times."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = [
    f"consultations.view_{model}"
    for model in ("callschedule", "callwindow", "callclosure", "booking")
]
# Deleting a window or a closure is editing the schedule; a whole schedule is
# unpublished, never deleted, and nobody deletes a booking.
MANAGE = [
    "consultations.add_callschedule",
    "consultations.change_callschedule",
] + [
    f"consultations.{action}_{model}"
    for model in ("callwindow", "callclosure")
    for action in ("add", "change", "delete")
]
GROUPS = {"Front desk": VIEW, "Clinic manager": VIEW + MANAGE}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("consultations")
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
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0006_call_booking")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
