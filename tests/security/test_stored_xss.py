"""Stored XSS: fifty payloads go in through the public forms and come out in the
admin change list, the change view and every email. None may arrive as markup.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape
from mailer.models import Message

from consultations.models import ConsultationRequest
from locations.models import Location, WaitlistEntry
from locations.services import waitlist_notify_open
from tests.security.hostile import (
    XSS_PAYLOADS,
    consultation_data,
    raw_markers,
    unescaped_in_html,
    waitlist_data,
)

pytestmark = pytest.mark.django_db

NAME_LIMIT = 60


def _fit(payload, limit):
    return payload if len(payload) <= limit else payload[:limit]


def _submit_consultations(client):
    slugs = list(Location.objects.accepting_requests().values_list("slug", flat=True))
    for n, payload in enumerate(XSS_PAYLOADS):
        response = client.post(
            reverse("consultations:create"),
            consultation_data(
                n,
                slugs[n % len(slugs)],
                first_name=_fit(payload, NAME_LIMIT),
                last_name=_fit(payload[::-1], NAME_LIMIT),
                message=payload,
                heard_about=_fit(payload, 100),
            ),
        )
        assert response.status_code == 303, (n, payload)


def _submit_waitlist(client, location):
    url = reverse("locations:waitlist", args=[location.slug])
    for n, payload in enumerate(XSS_PAYLOADS):
        response = client.post(url, waitlist_data(n, name=_fit(payload, 100)))
        assert response.status_code == 302, (n, payload)


def _email_parts(message):
    email = message.email
    yield "text", email.body
    for content, mimetype in getattr(email, "alternatives", []):
        if mimetype == "text/html":
            yield "html", content


def test_fifty_payloads_never_arrive_as_markup(
    client, demo, otp_login, admin_user, settings
):
    settings.FORM_RATE_LIMIT = "10000/h"
    _submit_consultations(client)
    coming = Location.objects.filter(status=Location.Status.COMING_SOON).first()
    _submit_waitlist(client, coming)
    assert ConsultationRequest.objects.count() == len(XSS_PAYLOADS)
    assert WaitlistEntry.objects.count() == len(XSS_PAYLOADS)
    # The payloads were stored as typed: escaping happens on output only.
    stored = set(ConsultationRequest.objects.values_list("message", flat=True))
    assert stored == set(XSS_PAYLOADS)

    otp_login(client, admin_user)
    pages = {
        "admin index": reverse("admin:index"),
        "request list": reverse("admin:consultations_consultationrequest_changelist"),
        "waitlist list": reverse("admin:locations_waitlistentry_changelist"),
        "request search": reverse("admin:consultations_consultationrequest_changelist")
        + "?q=%3Cscript%3E",
    }
    for request in ConsultationRequest.objects.all():
        pages[f"request {request.pk}"] = reverse(
            "admin:consultations_consultationrequest_change", args=[request.pk]
        )
        pages[f"history {request.pk}"] = reverse(
            "admin:consultations_consultationrequest_history", args=[request.pk]
        )
    for entry in WaitlistEntry.objects.all():
        pages[f"waitlist {entry.pk}"] = reverse(
            "admin:locations_waitlistentry_change", args=[entry.pk]
        )

    unescaped = {}
    shown = set()
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, label
        html = response.content.decode()
        hits = unescaped_in_html(html)
        if hits:
            unescaped[label] = hits
        shown |= {p for p in XSS_PAYLOADS if escape(p) in html}
    # The pages really show what was typed (escaped), or the check proves little.
    assert len(shown) >= 45, len(shown)

    # Every email: staff notifications, patient acknowledgements and, once the
    # clinic opens, the waitlist's "we are open" messages.
    coming.status = Location.Status.OPEN
    coming.save()
    waitlist_notify_open(location=coming)
    messages = list(Message.objects.all())
    assert len(messages) >= 2 * len(XSS_PAYLOADS)
    for message in messages:
        for part, content in _email_parts(message):
            label = f"email {message.pk} {part} to {message.to_addresses}"
            if part == "html":
                hits = unescaped_in_html(content)
            else:
                hits = raw_markers(content)
            if hits:
                unescaped[label] = hits

    assert unescaped == {}


def test_the_detector_sees_unescaped_payloads():
    # Guards the test above: the same check on raw output must cry out.
    raw_page = "<td>" + "</td><td>".join(XSS_PAYLOADS) + "</td>"
    assert len(unescaped_in_html(raw_page)) >= 40
    escaped_page = "<td>" + "</td><td>".join(map(escape, XSS_PAYLOADS)) + "</td>"
    assert unescaped_in_html(escaped_page) == []
    assert raw_markers("Hello <script>alert(1)</script>") == ["<script"]
