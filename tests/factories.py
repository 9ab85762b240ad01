import datetime as dt
import itertools

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.models import ConsultationRequest
from consultations.workflow import promised_contact_deadline
from locations.models import (
    HolidayClosure,
    Location,
    OpeningHours,
    StaffLocation,
    WaitlistEntry,
)

_phone_suffix = itertools.cycle(range(100, 200))


class LocationFactory(factory.django.DjangoModelFactory):
    """An open location, Monday to Friday 9:00–17:00, unless told otherwise."""

    class Meta:
        model = Location
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    status = Location.Status.OPEN
    street_address = "1 Example Way"
    city = "Oakland"
    state = "CA"
    postal_code = "94612"
    time_zone = "America/Los_Angeles"
    phone = "+15105550150"
    email = factory.LazyAttribute(lambda o: f"{o.slug}@clinic.example")
    notification_emails = factory.LazyAttribute(
        lambda o: f"{o.slug}-desk@clinic.example\n{o.slug}-lead@clinic.example"
    )

    @factory.post_generation
    def weekday_hours(obj, create, extracted, **kwargs):
        """weekday_hours=[(weekday, opens, closes), ...]; False or [] for none."""
        if not create or extracted is False:
            return
        rows = extracted
        if rows is None:
            rows = [(day, dt.time(9), dt.time(17)) for day in range(5)]
        OpeningHours.objects.bulk_create(
            OpeningHours(location=obj, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in rows
        )


class ConsultationRequestFactory(factory.django.DjangoModelFactory):
    """A new request from a fictional patient (555-01xx numbers)."""

    class Meta:
        model = ConsultationRequest

    location = factory.SubFactory(LocationFactory)
    first_name = factory.Sequence(lambda n: f"Robin{n}")
    last_name = factory.Sequence(lambda n: f"Testperson{n}")
    phone = factory.LazyFunction(lambda: f"+1510555{next(_phone_suffix):04d}")
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    preferred_contact = "phone"
    interest = "depression"
    message = "I would like to know more."
    consent_text_version = factory.LazyFunction(lambda: settings.CONSENT_TEXT_VERSION)
    consented_at = factory.LazyFunction(timezone.now)
    # As the intake service sets it: from the location's hours.
    promised_contact_by = factory.LazyAttribute(
        lambda o: promised_contact_deadline(o.location, timezone.now())
    )


class HolidayClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HolidayClosure

    location = factory.SubFactory(LocationFactory)
    date = dt.date(2026, 12, 25)
    reason = "Christmas Day"


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    location = factory.SubFactory(
        LocationFactory, status=Location.Status.COMING_SOON, weekday_hours=[]
    )
    name = "Robin Example"
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    phone = ""
    preferred_contact = WaitlistEntry.ContactMethod.EMAIL
    consent_text_version = factory.LazyFunction(lambda: settings.CONSENT_TEXT_VERSION)
    consented_at = factory.LazyFunction(timezone.now)


def make_staff(username, *, locations=(), group="Front desk", **extra):
    """A staff user in ``group`` (a shipped staff group) working for ``locations``."""
    user = get_user_model().objects.create_user(
        username=username, password="long-enough-passphrase-1", is_staff=True, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    for location in locations:
        StaffLocation.objects.create(user=user, location=location)
    return user
