import datetime as dt
import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections
from django.urls import reverse
from mailer import engine
from mailer.models import Message

from locations.models import Location, StaffLocation, WaitlistEntry
from locations.services import waitlist_notify_open
from tests.factories import LocationFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:locations_location_changelist"


@pytest.fixture
def opening(settings):
    """A clinic about to open, with a waitlist of four (one only by phone)."""
    settings.SITE_URL = "https://clinic.example"
    location = LocationFactory(
        name="Fremont",
        slug="fremont",
        status=Location.Status.COMING_SOON,
        street_address="77 Beacon Court",
        city="Fremont",
        postal_code="94538",
        phone="+15105550177",
        weekday_hours=[],
    )
    WaitlistEntryFactory(
        location=location, name="Avery Lind", email="avery@example.org"
    )
    WaitlistEntryFactory(location=location, name="Blake Orr", email="blake@example.org")
    WaitlistEntryFactory(
        location=location, name="Casey Pell", email="", phone="+15105550188"
    )
    told = WaitlistEntryFactory(location=location, email="told@example.org")
    WaitlistEntry.objects.filter(pk=told.pk).update(
        notified_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    WaitlistEntryFactory(email="elsewhere@example.org")  # another location
    return location


def run_action(client, location):
    return client.post(
        reverse(CHANGELIST),
        {"action": "tell_waitlist_open", "_selected_action": [location.pk]},
        follow=True,
    )


class TestLocationAdmin:
    def test_changelist_shows_pending_waitlist_and_preview_link(
        self, otp_admin_client, opening
    ):
        response = otp_admin_client.get(reverse(CHANGELIST))

        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="field-pending_waitlist">3<' in html
        assert 'href="/locations/fremont/" target="_blank"' in html

    def test_change_form_edits_hours_and_holidays_inline(self, otp_admin_client):
        location = LocationFactory()

        response = otp_admin_client.get(
            reverse("admin:locations_location_change", args=[location.pk])
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="hours-TOTAL_FORMS"' in html
        assert 'name="holidays-TOTAL_FORMS"' in html
        assert 'class="viewsitelink"' in html

    @pytest.mark.parametrize(
        "query", ["Fremont", "fremont", "94538"], ids=["name", "any-case", "zip"]
    )
    def test_search_finds_the_clinic_and_only_it(
        self, otp_admin_client, opening, query
    ):
        # Another clinic with "Fremont" nowhere in its searched fields, though
        # its street and email mention it (neither is searched).
        LocationFactory(
            name="Oakland", street_address="1 Fremont Way", email="fremont@x.example"
        )
        response = otp_admin_client.get(reverse(CHANGELIST), {"q": query})

        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [opening]
        # There was more to find: the search, not an empty table, narrowed it.
        assert response.context["cl"].full_result_count == Location.objects.count() > 2

    def test_search_never_reaches_past_a_managers_own_clinics(
        self, staff_client, opening
    ):
        own = LocationFactory(name="Fremont Annex", city="Fremont")
        StaffLocation.objects.create(user=staff_client.user, location=own)
        staff_client.user.user_permissions.add(
            *Permission.objects.filter(codename="view_location")
        )
        response = staff_client.get(reverse(CHANGELIST), {"q": "Fremont"})

        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [own]

    def test_add_page_loads(self, otp_admin_client):
        assert (
            otp_admin_client.get(reverse("admin:locations_location_add")).status_code
            == 200
        )

    def test_status_change_is_recorded_in_history(
        self, otp_admin_client, django_user_model
    ):
        location = LocationFactory(weekday_hours=[], status=Location.Status.COMING_SOON)
        before = location.history.count()
        data = {
            field: getattr(location, field)
            for field in (
                "name",
                "slug",
                "street_address",
                "city",
                "state",
                "postal_code",
                "time_zone",
                "email",
                "notification_emails",
                "display_order",
            )
        }
        data.update(
            status="open",
            phone="+15105550142",
            **{
                f"{prefix}-{key}": value
                for prefix in ("hours", "holidays", "price_list")
                for key, value in {
                    "TOTAL_FORMS": 0,
                    "INITIAL_FORMS": 0,
                    "MIN_NUM_FORMS": 0,
                    "MAX_NUM_FORMS": 1000,
                }.items()
            },
        )

        response = otp_admin_client.post(
            reverse("admin:locations_location_change", args=[location.pk]), data
        )

        assert response.status_code == 302, response.content.decode()[:3000]
        latest = location.history.latest()
        assert location.history.count() == before + 1
        assert latest.status == "open"
        assert latest.prev_record.status == "coming_soon"
        assert latest.history_user.username == "dana.admin"
        history = otp_admin_client.get(
            reverse("admin:locations_location_history", args=[location.pk])
        )
        assert history.status_code == 200


class TestTellTheWaitlist:
    def test_queues_one_email_per_pending_address_once(
        self, otp_admin_client, opening, mailoutbox
    ):
        Location.objects.filter(pk=opening.pk).update(status=Location.Status.OPEN)

        first = run_action(otp_admin_client, opening)

        assert Message.objects.count() == 2
        assert "2 emails queued" in first.content.decode()
        assert "1 person gave only a phone number" in first.content.decode()
        pending = WaitlistEntry.objects.pending().filter(location=opening)
        assert list(pending.values_list("name", flat=True)) == ["Casey Pell"]

        second = run_action(otp_admin_client, opening)

        assert Message.objects.count() == 2
        assert "0 emails queued" in second.content.decode()

        engine.send_all()
        assert sorted(m.to[0] for m in mailoutbox) == [
            "avery@example.org",
            "blake@example.org",
        ]
        message = mailoutbox[0]
        assert message.subject == "Our Fremont clinic is now open"
        for body in (message.body, message.alternatives[0][0]):
            assert "77 Beacon Court" in body
            assert "Fremont, CA 94538" in body
            assert "(510) 555-0177" in body
            assert "https://clinic.example/locations/fremont/" in body
            for name in ("Avery", "Blake", "Casey", "Lind", "Orr"):
                assert name not in body
        assert message.alternatives[0][1] == "text/html"

    def test_refuses_a_location_that_is_not_open(self, otp_admin_client, opening):
        response = run_action(otp_admin_client, opening)

        assert "is not open, so nobody on its waitlist was told" in (
            response.content.decode()
        )
        assert Message.objects.count() == 0
        assert WaitlistEntry.objects.pending().filter(location=opening).count() == 3

    def test_service_emails_an_address_on_the_list_twice_only_once(self, opening):
        WaitlistEntryFactory(location=opening, email="AVERY@example.org")
        Location.objects.filter(pk=opening.pk).update(status=Location.Status.OPEN)

        queued = waitlist_notify_open(location=opening)

        assert queued == 2
        assert Message.objects.count() == 2
        assert WaitlistEntry.objects.pending().filter(location=opening).count() == 1
        assert waitlist_notify_open(location=opening) == 0

    def test_rolls_back_mail_and_marks_together(self, opening, monkeypatch):
        Location.objects.filter(pk=opening.pk).update(status=Location.Status.OPEN)

        def broken_update(self, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr("django.db.models.QuerySet.update", broken_update)
        with pytest.raises(RuntimeError):
            waitlist_notify_open(location=opening)

        assert Message.objects.count() == 0


class TestWaitlistEntryAdmin:
    def test_staff_see_only_their_locations_and_cannot_add(self, staff_client, opening):
        other = WaitlistEntry.objects.exclude(location=opening).get()
        StaffLocation.objects.create(user=staff_client.user, location=opening)
        changelist = reverse("admin:locations_waitlistentry_changelist")

        html = staff_client.get(changelist).content.decode()

        assert "Avery Lind" in html
        assert "elsewhere" not in html
        assert (
            staff_client.get(
                reverse("admin:locations_waitlistentry_change", args=[other.pk])
            ).status_code
            == 404  # outside the user's locations: not even its existence shows
        )
        assert (
            staff_client.get(reverse("admin:locations_waitlistentry_add")).status_code
            == 403
        )

    def test_patient_fields_are_read_only(self, otp_admin_client, opening):
        entry = WaitlistEntry.objects.get(name="Avery Lind")
        url = reverse("admin:locations_waitlistentry_change", args=[entry.pk])

        otp_admin_client.post(
            url,
            {
                "name": "Changed",
                "email": "changed@example.org",
                "notified_at_0": "2026-12-01",
                "notified_at_1": "10:00:00",
            },
        )

        entry.refresh_from_db()
        assert (entry.name, entry.email) == ("Avery Lind", "avery@example.org")
        assert entry.notified_at is not None

    def test_mark_told_after_a_phone_call(self, otp_admin_client, opening):
        entry = WaitlistEntry.objects.get(name="Casey Pell")

        otp_admin_client.post(
            reverse("admin:locations_waitlistentry_changelist"),
            {"action": "mark_told", "_selected_action": [entry.pk]},
        )

        entry.refresh_from_db()
        assert entry.notified_at is not None


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_email_nobody_twice(monkeypatch):
    location = LocationFactory(status=Location.Status.COMING_SOON, weekday_hours=[])
    for n in range(3):
        WaitlistEntryFactory(location=location, email=f"p{n}@example.org")
    Location.objects.filter(pk=location.pk).update(status=Location.Status.OPEN)
    original_send = EmailMultiAlternatives.send

    def slow_send(self, *args, **kwargs):
        time.sleep(0.2)  # keep the first run's transaction open
        return original_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)
    results = []

    def run():
        try:
            results.append(waitlist_notify_open(location=location))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 3]
    assert Message.objects.count() == 3


def test_clinic_manager_edits_only_their_own_locations(demo, client, otp_login):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from locations.models import Location, StaffLocation

    manager = get_user_model().objects.create_user(
        username="morgan.manager", password="x", is_staff=True
    )
    manager.groups.add(Group.objects.get(name="Clinic manager"))
    oakland, portland = (
        Location.objects.get(slug="oakland"),
        Location.objects.get(slug="portland"),
    )
    StaffLocation.objects.create(user=manager, location=oakland)
    otp_login(client, manager)

    changelist = client.get(reverse("admin:locations_location_changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].queryset) == [oakland]
    own = client.get(reverse("admin:locations_location_change", args=[oakland.pk]))
    assert own.status_code == 200
    other = client.get(reverse("admin:locations_location_change", args=[portland.pk]))
    assert other.status_code in (302, 404)


class TestWaitlistAccessLog:
    """A sign-up is personal (someone is considering ketamine treatment): who
    opened or searched it is logged as for a consultation request."""

    def test_opening_a_sign_up_is_logged_with_who_and_which(
        self, staff_client, opening
    ):
        from consultations.models import AccessLog

        StaffLocation.objects.create(user=staff_client.user, location=opening)
        entry = WaitlistEntry.objects.get(name="Avery Lind")
        url = reverse("admin:locations_waitlistentry_change", args=[entry.pk])

        assert staff_client.get(url).status_code == 200

        assert list(
            AccessLog.objects.values_list("user", "action", "waitlist_entry")
        ) == [(staff_client.user.pk, AccessLog.Action.VIEW, entry.pk)]

    def test_a_sign_up_outside_the_staff_members_locations_logs_nothing(
        self, staff_client, opening
    ):
        from consultations.models import AccessLog

        StaffLocation.objects.create(user=staff_client.user, location=opening)
        other = WaitlistEntry.objects.exclude(location=opening).get()
        url = reverse("admin:locations_waitlistentry_change", args=[other.pk])

        assert staff_client.get(url).status_code == 404
        assert not AccessLog.objects.exists()

    def test_a_search_is_logged_with_how_many_never_the_words(
        self, staff_client, opening
    ):
        from consultations.models import AccessLog

        StaffLocation.objects.create(user=staff_client.user, location=opening)
        changelist = reverse("admin:locations_waitlistentry_changelist")

        staff_client.get(changelist)  # no search: nothing to log
        staff_client.get(changelist, {"q": "avery@example.org"})

        entry = AccessLog.objects.get()
        assert (entry.user_id, entry.action, entry.row_count) == (
            staff_client.user.pk,
            AccessLog.Action.SEARCH,
            1,
        )
        stored = " ".join(
            str(value) for value in AccessLog.objects.values().get().values()
        )
        assert "avery" not in stored.lower()

    def test_an_access_nobody_records_is_refused(self, opening, django_user_model):
        from consultations.services.triage import access_log_record_announced
        from core.audit import (
            AccessAction,
            personal_data_access_announce,
            personal_data_accessed,
        )

        personal_data_accessed.disconnect(dispatch_uid="consultations-access-log")
        try:
            with pytest.raises(RuntimeError, match="no access log"):
                personal_data_access_announce(
                    model=WaitlistEntry, user=None, action=AccessAction.SEARCH
                )
        finally:
            personal_data_accessed.connect(
                access_log_record_announced, dispatch_uid="consultations-access-log"
            )
