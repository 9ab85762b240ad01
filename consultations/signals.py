from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import ConsultationRequest
from .workflow import ensure_promised_contact_by


@receiver(pre_save, sender=ConsultationRequest)
def fill_promised_contact_by(sender, instance, raw=False, **kwargs):
    # Whatever creates a request (the public form, a fixture, the shell), the
    # overdue flag needs a promised time; fill it from the location's hours.
    if not raw:
        ensure_promised_contact_by(instance)
