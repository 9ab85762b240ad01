import datetime as dt

import factory
from django.utils import timezone

from consultations.models import ConsultationRequest
from locations.models import HolidayClosure, Location, OpeningHours, WaitlistEntry


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
    class Meta:
        model = ConsultationRequest

    location = factory.SubFactory(LocationFactory)
    first_name = "Robin"
    last_name = "Quill"
    phone = factory.Sequence(lambda n: f"+1510555{100 + n % 100:04d}")
    preferred_contact = "phone"
    consent_text_version = "2026-11"
    consented_at = factory.LazyFunction(timezone.now)


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
    consent_text_version = "2026-11"
    consented_at = factory.LazyFunction(timezone.now)
