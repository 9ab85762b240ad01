"""Fields the public forms do not offer cannot be set by posting them anyway."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationRequest, Status
from locations.models import Location, WaitlistEntry
from tests.security.hostile import consultation_data, waitlist_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_member(db):
    return get_user_model().objects.create_user(
        "triager", "triager@clinic.example", "a-long-staff-passphrase-9", is_staff=True
    )


def _smuggled(staff, other_location):
    return {
        "status": Status.SPAM,
        "assigned_to": str(staff.pk),
        "assigned_to_id": str(staff.pk),
        "urgent": "on",
        "created_at": "2001-01-01T00:00:00Z",
        "reference": "HACKED22",
        "location_id": str(other_location.pk),
        "internal_notes": "smuggled",
        "repeat_of": "1",
        "repeat_of_id": "1",
        "submission_token": "chosen-by-attacker",
        "ip_hash": "0" * 64,
        "consented_at": "2001-01-01T00:00:00Z",
        "notified_at": "2001-01-01T00:00:00Z",
        "id": "999999",
        "pk": "999999",
    }


def test_consultation_form_ignores_fields_it_does_not_offer(client, demo, staff_member):
    chosen, other = Location.objects.accepting_requests()[:2]
    started = timezone.now()
    response = client.post(
        reverse("consultations:create"),
        {
            **consultation_data(1, chosen.slug, self_harm="no"),
            **_smuggled(staff_member, other),
        },
    )
    assert response.status_code == 303

    stored = ConsultationRequest.objects.get()
    assert stored.location == chosen
    assert stored.status == Status.NEW
    assert stored.assigned_to is None
    assert stored.urgent is False
    assert stored.created_at >= started - dt.timedelta(seconds=5)
    assert stored.consented_at >= started - dt.timedelta(seconds=5)
    assert stored.reference != "HACKED22"
    assert stored.internal_notes == ""
    assert stored.repeat_of_id is None
    assert stored.submission_token != "chosen-by-attacker"
    assert stored.ip_hash != "0" * 64
    assert stored.pk != 999999


def test_waitlist_form_ignores_fields_it_does_not_offer(client, demo, staff_member):
    coming = Location.objects.filter(status=Location.Status.COMING_SOON).first()
    open_location = Location.objects.accepting_requests().first()
    started = timezone.now()
    response = client.post(
        reverse("locations:waitlist", args=[coming.slug]),
        {
            **waitlist_data(1),
            **_smuggled(staff_member, open_location),
            "location": str(open_location.pk),
        },
    )
    assert response.status_code == 302

    entry = WaitlistEntry.objects.get()
    assert entry.location == coming
    assert entry.notified_at is None
    assert entry.created_at >= started - dt.timedelta(seconds=5)
    assert entry.consented_at >= started - dt.timedelta(seconds=5)
    assert entry.ip_hash != "0" * 64
    assert entry.pk != 999999


@pytest.mark.parametrize(
    "form_path",
    ["consultations.forms.ConsultationRequestForm", "locations.forms.WaitlistForm"],
)
def test_public_forms_list_their_fields_explicitly(form_path):
    # ASVS 15.3.3: a ModelForm must name its fields, never "__all__" or exclude.
    module_name, class_name = form_path.rsplit(".", 1)
    form_class = getattr(__import__(module_name, fromlist=[class_name]), class_name)
    meta = getattr(form_class, "Meta", None)
    if meta is not None:
        assert getattr(meta, "fields", None) not in (None, "__all__")
        assert not getattr(meta, "exclude", None)
    triage_fields = {"status", "assigned_to", "urgent", "internal_notes", "notified_at"}
    assert not triage_fields & set(form_class.base_fields)
