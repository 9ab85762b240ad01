import datetime as dt

import factory

from locations.models import HolidayClosure, Location, OpeningHours, WaitlistEntry


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Clinic {n}")
    slug = factory.Sequence(lambda n: f"test-clinic-{n}")
    status = Location.Status.OPEN
    street_address = factory.Sequence(lambda n: f"{n} Lamplight Avenue")
    city = "Oakland"
    state = "CA"
    postal_code = "94612"
    time_zone = "America/Los_Angeles"
    phone = "+15105550142"
    email = factory.Sequence(lambda n: f"clinic{n}@lanternfield.example")
    notification_emails = "desk@lanternfield.example"
    display_order = factory.Sequence(int)

    @factory.post_generation
    def weekday_hours(obj, create, extracted, **kwargs):
        """weekday_hours=[(weekday, opens, closes), ...]; default Mon-Fri 9-17."""
        if not create:
            return
        rows = extracted
        if rows is None:
            rows = [(day, dt.time(9), dt.time(17)) for day in range(5)]
        OpeningHours.objects.bulk_create(
            OpeningHours(location=obj, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in rows
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
    consent_text_version = "2026-11"
    consented_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
