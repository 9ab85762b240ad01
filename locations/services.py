from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.emails import message_id, queue_templated_email

from .models import Location, WaitlistEntry

NOT_COMING_SOON = _(
    "This location is not taking a waitlist, so nothing was saved. Please see "
    "its page for what you can do instead."
)
NOT_OPEN = _("Only the waitlist of an open location can be told that it is open.")


def waitlist_entry_create(
    *,
    location: Location,
    name: str,
    email: str,
    phone,
    preferred_contact: str,
    consent_text_version: str,
    ip_hash: str,
) -> WaitlistEntry:
    """Add someone to a coming-soon location's waitlist.

    A second sign-up with the same email (or, without one, the same phone)
    for the same location returns the pending entry instead of a duplicate,
    so a double submit never means two emails on opening day.
    """
    with transaction.atomic():
        # Locked so the status cannot change to open between the check and the
        # insert: the opening-day email run would then miss this entry.
        location = Location.objects.select_for_update().get(pk=location.pk)
        if location.status != Location.Status.COMING_SOON:
            raise ValidationError(NOT_COMING_SOON, code="not_coming_soon")
        pending = WaitlistEntry.objects.pending().filter(location=location)
        if email:
            existing = pending.filter(email__iexact=email).first()
        else:
            existing = pending.filter(email="", phone=phone).first()
        if existing:
            return existing
        entry = WaitlistEntry(
            location=location,
            name=name,
            email=email or "",
            phone=phone or "",
            preferred_contact=preferred_contact,
            consent_text_version=consent_text_version,
            consented_at=timezone.now(),
            ip_hash=ip_hash,
        )
        entry.full_clean()
        entry.save()
    return entry


def waitlist_notify_open(*, location: Location) -> int:
    """Queue one "we are open" email per pending waitlist address.

    Returns how many emails were queued. Entries are marked notified in the
    same transaction as the queued mail, and only entries not yet notified
    are read (under a row lock), so a second run, even a concurrent one,
    emails nobody twice. Entries with only a phone number stay pending for
    staff to call.
    """
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=location.pk)
        if location.status != Location.Status.OPEN:
            raise ValidationError(NOT_OPEN, code="not_open")
        entries = list(
            WaitlistEntry.objects.select_for_update()
            .pending()
            .filter(location=location)
            .exclude(email="")
            .order_by("created_at", "pk")
        )
        if not entries:
            return 0
        context = {
            "location": location,
            "location_url": settings.SITE_URL + location.get_absolute_url(),
        }
        sent_to = set()
        for entry in entries:
            address = entry.email.strip().lower()
            if address in sent_to:
                continue
            sent_to.add(address)
            queue_templated_email(
                template="waitlist_open",
                context=context,
                to=[entry.email],
                language=settings.LANGUAGE_CODE,
                message_id=message_id("waitlist", f"{entry.pk}-open"),
                reply_to=[location.email],
            )
        WaitlistEntry.objects.filter(
            pk__in=[entry.pk for entry in entries], notified_at__isnull=True
        ).update(notified_at=timezone.now())
    return len(sent_to)
