"""Every request has a promised call-back time, set by the intake service.

Rows saved without one (only possible through bulk inserts before this
migration) get "a day after it arrived", the rule's own fallback.
"""

import datetime as dt

from django.db import migrations, models
from django.db.models import F


def fill_missing_promises(apps, schema_editor):
    for name in ("ConsultationRequest", "HistoricalConsultationRequest"):
        model = apps.get_model("consultations", name)
        model.objects.filter(promised_contact_by__isnull=True).update(
            promised_contact_by=F("created_at") + dt.timedelta(days=1)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0003_repeats_are_linked_not_merged"),
    ]

    operations = [
        migrations.RunPython(fill_missing_promises, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="consultationrequest",
            name="promised_contact_by",
            field=models.DateTimeField(
                help_text="When the thank-you page told the patient to expect a call.",
                verbose_name="call promised by",
            ),
        ),
        migrations.AlterField(
            model_name="historicalconsultationrequest",
            name="promised_contact_by",
            field=models.DateTimeField(
                help_text="When the thank-you page told the patient to expect a call.",
                verbose_name="call promised by",
            ),
        ),
    ]
