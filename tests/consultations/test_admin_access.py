"""Per-location access: staff see and touch only their own locations' rows."""

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import AccessLog, ConsultationRequest
from locations.models import WaitlistEntry
from tests.factories import ConsultationRequestFactory, make_staff

pytestmark = pytest.mark.django_db


def admin_url(name, *args):
    return reverse(f"admin:consultations_consultationrequest_{name}", args=args)


@pytest.fixture
def portland_requests(portland):
    return ConsultationRequestFactory.create_batch(20, location=portland)


def test_staff_at_oakland_reach_none_of_20_portland_requests(
    desk_client, front_desk, portland_requests, oakland
):
    ours = ConsultationRequestFactory(location=oakland)
    attempts = []
    for req in portland_requests:
        for url in [
            admin_url("change", req.pk),
            admin_url("history", req.pk),
            reverse(
                "admin:consultations_consultationrequest_simple_history",
                args=[req.pk, req.history.latest().history_id],
            ),
        ]:
            attempts.append((url, desk_client.get(url).status_code))
        post = desk_client.post(admin_url("change", req.pk), {"status": "spam"})
        attempts.append(("POST change", post.status_code))

    assert {code for _url, code in attempts} == {404}
    assert len(attempts) == 80
    assert not ConsultationRequest.objects.filter(status="spam").exists()
    # No access was logged for rows that were never shown.
    assert not AccessLog.objects.filter(request__location__slug="portland").exists()
    # The same client does reach its own location's request.
    assert desk_client.get(admin_url("change", ours.pk)).status_code == 200


def test_change_list_search_and_export_never_show_another_location(
    client, otp_login, oakland, portland_requests
):
    manager = make_staff("mgr", locations=[oakland], group="Clinic manager")
    otp_login(client, manager)
    ours = ConsultationRequestFactory(location=oakland, last_name="Ourpatient")
    theirs = portland_requests[0]

    listing = client.get(admin_url("changelist"))
    assert list(listing.context["cl"].result_list) == [ours]

    by_phone = client.get(admin_url("changelist"), {"q": theirs.phone.as_national})
    assert list(by_phone.context["cl"].result_list) == []
    by_name = client.get(admin_url("changelist"), {"q": theirs.last_name})
    assert list(by_name.context["cl"].result_list) == []
    forced = client.get(
        admin_url("changelist"), {"location__id__exact": theirs.location_id}
    )
    assert list(forced.context["cl"].result_list) in ([], [ours])

    export = client.get(admin_url("export"))
    body = export.content.decode()
    assert export.status_code == 200
    assert ours.reference in body
    assert all(req.reference not in body for req in portland_requests)
    exported = client.get(
        admin_url("export"), {"location__id__exact": theirs.location_id}
    )
    assert theirs.reference not in exported.content.decode()


def test_location_filter_lists_only_the_users_locations(client, otp_login, locations):
    user = make_staff(
        "two-sites", locations=[locations["oakland"], locations["san-francisco"]]
    )
    otp_login(client, user)
    response = client.get(admin_url("changelist"))
    location_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.title == "location"
    )
    names = [name for _pk, name in location_filter.lookup_choices]
    assert names == ["Oakland", "San Francisco"]


def test_superuser_sees_every_location(otp_staff_client, oakland, portland_requests):
    ConsultationRequestFactory(location=oakland)
    response = otp_staff_client.get(admin_url("changelist"))
    assert response.context["cl"].result_count == 21
    other = portland_requests[0]
    assert otp_staff_client.get(admin_url("change", other.pk)).status_code == 200


def test_staff_without_a_location_see_nothing(client, otp_login, portland_requests):
    user = make_staff("nowhere")
    otp_login(client, user)
    response = client.get(admin_url("changelist"))
    assert response.context["cl"].result_count == 0


def test_waitlist_admin_is_scoped_to_the_users_locations(
    desk_client, oakland, portland
):
    def entry(location, name):
        return WaitlistEntry.objects.create(
            location=location,
            name=name,
            email=f"{name.lower()}@example.org",
            preferred_contact="email",
            consent_text_version="2026-01",
            consented_at="2026-01-05T10:00:00Z",
        )

    ours, theirs = entry(oakland, "Ours"), entry(portland, "Theirs")
    listing = desk_client.get(reverse("admin:locations_waitlistentry_changelist"))
    assert list(listing.context["cl"].result_list) == [ours]
    for name in ("change", "history"):
        url = reverse(f"admin:locations_waitlistentry_{name}", args=[theirs.pk])
        assert desk_client.get(url).status_code == 404
    own = reverse("admin:locations_waitlistentry_change", args=[ours.pk])
    assert desk_client.get(own).status_code == 200


def test_opening_a_request_is_logged_and_the_log_is_read_only(
    desk_client, front_desk, oakland, admin_user, otp_login
):
    superuser = otp_login(Client(), admin_user)
    req = ConsultationRequestFactory(location=oakland)
    desk_client.get(admin_url("change", req.pk))
    desk_client.get(admin_url("history", req.pk))

    rows = list(AccessLog.objects.values_list("user", "action", "request"))
    assert rows == [(front_desk.pk, "view", req.pk)] * 2

    # Front desk cannot see the log; nobody can add, change or delete it.
    log_url = reverse("admin:consultations_accesslog_changelist")
    assert desk_client.get(log_url).status_code == 403
    entry = AccessLog.objects.first()
    change_url = reverse("admin:consultations_accesslog_change", args=[entry.pk])
    delete_url = reverse("admin:consultations_accesslog_delete", args=[entry.pk])
    add_url = reverse("admin:consultations_accesslog_add")
    assert superuser.get(log_url).status_code == 200
    assert superuser.post(change_url, {"action": "export"}).status_code == 403
    assert superuser.post(delete_url, {"post": "yes"}).status_code == 403
    assert superuser.get(add_url).status_code == 403
    assert list(AccessLog.objects.values_list("action", flat=True)) == ["view"] * 2


def test_history_cannot_be_reverted(desk_client, oakland):
    req = ConsultationRequestFactory(location=oakland)
    version = req.history.latest().history_id
    url = reverse(
        "admin:consultations_consultationrequest_simple_history",
        args=[req.pk, version],
    )
    assert desk_client.get(url).status_code == 200
    assert desk_client.post(url, {"status": "spam"}).status_code == 403
    req.refresh_from_db()
    assert req.status == "new"


def test_no_access_is_logged_for_a_user_without_view_permission(
    client, otp_login, oakland
):
    req = ConsultationRequestFactory(location=oakland)
    editor = make_staff("editor", locations=[oakland], group="Content editor")
    otp_login(client, editor)
    assert client.get(admin_url("change", req.pk)).status_code == 403
    assert client.get(admin_url("history", req.pk)).status_code == 403
    assert not AccessLog.objects.exists()


def test_a_search_is_logged_with_who_and_how_many_never_the_words(
    desk_client, front_desk, oakland
):
    ConsultationRequestFactory(location=oakland, last_name="Quintero")
    listing = desk_client.get(admin_url("changelist"), {"q": "Quintero"})
    assert listing.status_code == 200
    desk_client.get(admin_url("changelist"))  # no search: nothing to log

    entries = list(AccessLog.objects.all())
    assert [(e.user_id, e.action, e.row_count) for e in entries] == [
        (front_desk.pk, AccessLog.Action.SEARCH, 1)
    ]
    stored = " ".join(str(value) for value in AccessLog.objects.values().get().values())
    assert "Quintero" not in stored
