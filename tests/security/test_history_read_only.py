"""The history pages of every admin that uses django-simple-history are read-only.

django-simple-history's "history form" view saves a POST (a revert) after a
view-or-change check and looks rows up in the unscoped history table. Each
role below POSTs a changed copy of each kind of row to it: nothing may change,
and rows outside the user's locations answer 404 as the change view does.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from consultations.models import AccessLog, ConsultationRequest
from locations.models import Location
from pages.models import Article, Clinician
from tests.factories import ConsultationRequestFactory, make_staff

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "Front desk", "Clinic manager", "Content editor"]


@pytest.fixture
def rows(demo):
    oakland = Location.objects.get(slug="oakland")
    portland = Location.objects.get(slug="portland")
    return {
        "own location": oakland,
        "other location": portland,
        "article": Article.objects.first(),
        "clinician": Clinician.objects.first(),
        "own request": ConsultationRequestFactory(location=oakland),
        "other request": ConsultationRequestFactory(location=portland),
    }


def as_role(client, otp_login, role, oakland):
    if role == "superuser":
        user = make_staff("root", group=None, is_superuser=True)
    else:
        user = make_staff(role.replace(" ", "-"), locations=[oakland], group=role)
    otp_login(client, user)
    return user


def history_urls(obj):
    opts = obj._meta
    version = obj.history.latest().history_id
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    return (
        reverse(f"{prefix}_history", args=[obj.pk]),
        reverse(f"{prefix}_simple_history", args=[obj.pk, version]),
    )


def changed_form_data(obj, user):
    """What the admin's own form would POST for ``obj``, with one field changed."""
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = user
    form = model_admin.get_form(request, obj)(instance=obj)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or hasattr(value, "field"):
            continue  # unset, an unticked box, or a file (not re-uploaded)
        data[name] = [str(v) for v in value] if isinstance(value, list) else value
    if isinstance(obj, Location):
        data["notification_emails"] = "attacker@evil.example"
        data["status"] = "closed"
    elif isinstance(obj, ConsultationRequest):
        data["status"] = "spam"
    else:
        data["name" if isinstance(obj, Clinician) else "title"] = "Reverted"
    return data


def snapshot(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_save_anything_through_a_history_page(
    client, otp_login, rows, role
):
    user = as_role(client, otp_login, role, rows["own location"])
    for label, obj in rows.items():
        before = snapshot(obj)
        versions = obj.history.count()
        _list_url, form_url = history_urls(obj)
        response = client.post(form_url, changed_form_data(obj, user))
        assert response.status_code in (403, 404), (label, response.status_code)
        assert snapshot(obj) == before, label
        assert obj.history.count() == versions, label


@pytest.mark.parametrize("role", ["Front desk", "Clinic manager"])
def test_history_outside_the_users_locations_answers_404(client, otp_login, rows, role):
    as_role(client, otp_login, role, rows["own location"])
    for label in ("other location", "other request"):
        for url in history_urls(rows[label]):
            assert client.get(url).status_code == 404, (label, url)
    for label in ("own location", "own request"):
        for url in history_urls(rows[label]):
            assert client.get(url).status_code == 200, (label, url)


def test_history_pages_offer_no_revert_button(client, otp_login, rows):
    as_role(client, otp_login, "superuser", rows["own location"])
    for obj in (rows["own location"], rows["article"], rows["clinician"]):
        page = client.get(history_urls(obj)[1]).content.decode()
        assert "Revert" not in page
        assert 'name="_save"' not in page


def test_reading_a_past_version_of_a_request_is_logged(client, otp_login, rows):
    user = as_role(client, otp_login, "Front desk", rows["own location"])
    req = rows["own request"]
    assert client.get(history_urls(req)[1]).status_code == 200
    assert list(AccessLog.objects.values_list("user", "action", "request")) == [
        (user.pk, AccessLog.Action.VIEW_VERSION, req.pk)
    ]


def test_a_past_version_shows_disabled_inputs_and_the_change_view_stays_editable(
    client, otp_login, rows
):
    as_role(client, otp_login, "superuser", rows["own location"])
    req = rows["own request"]
    past = client.get(history_urls(req)[1])
    assert all(
        field.disabled for field in past.context["adminform"].form.fields.values()
    )
    change = client.get(
        reverse("admin:consultations_consultationrequest_change", args=[req.pk])
    )
    editable = change.context["adminform"].form.fields
    assert editable and not any(field.disabled for field in editable.values())
