"""Report a problem: a short anonymous form on every article, stored for the
content team, never emailed, and no obstacle to the article's page cache."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from mailer.models import Message

from core.protection import (
    SHARED_TOKEN_SECONDS,
    make_form_token,
    make_shared_form_token,
    read_form_token,
)
from pages.models import Article, Clinician, ProblemReport
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    rivera = Clinician.objects.create(
        name="Dr. Elena Rivera", key="dr-rivera", credentials="MD", role="Psychiatrist"
    )
    return Article.objects.create(
        title="Side effects and safety",
        slug="side-effects-and-safety",
        meta_description="What to expect.",
        summary="Most side effects pass within two hours.",
        body="Text.\n",
        nav_group=Article.NavGroup.TREATMENT,
        status=Article.Status.PUBLISHED,
        reviewer=rivera,
        last_reviewed=dt.date(2026, 12, 1),
        next_review_due=dt.date(2027, 12, 1),
    )


def report_url(article):
    return reverse("pages:report", args=[article.slug])


def send(client, article, headers=None, **overrides):
    data = {
        "reason": "wrong",
        "details": "The vertigo figure looks different from the label.",
        "website": "",
        "form_token": make_form_token(now=time.time() - 20),
        **overrides,
    }
    return client.post(report_url(article), data, **(headers or {}))


def test_every_article_carries_the_form_and_stays_shareable(client, article):
    first = client.get(article.get_absolute_url())
    html = first.content.decode()
    assert "Is something wrong or unclear on this page?" in html
    assert f'action="{report_url(article)}#report"' in html
    assert 'name="website"' in html and 'name="form_token"' in html
    assert "csrfmiddlewaretoken" not in html
    assert "public" in first["Cache-Control"]
    assert not first.cookies
    # Served from the page cache the second time: the same bytes, form and all.
    assert client.get(article.get_absolute_url()).content == first.content


def test_a_report_is_stored_and_thanked_and_never_emailed(client, article, mailoutbox):
    response = send(client, article, details="Line one\u202e\x07 and two")
    assert response.status_code == 303
    assert response["Location"] == reverse("pages:report_thanks", args=[article.slug])
    report = ProblemReport.objects.get()
    assert (report.article, report.reason, report.status) == (article, "wrong", "new")
    assert report.details == "Line one and two"  # control and bidi characters gone
    assert Message.objects.count() == 0
    assert mailoutbox == []
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert (
        "Thank you. Your report has reached our content team."
        in thanks.content.decode()
    )
    assert '<meta name="robots" content="noindex">' in thanks.content.decode()


def test_the_form_asks_for_no_personal_data(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    section = html[html.index('id="report"') :]
    assert "do not include your name, contact details or anything about" in section
    for personal in ('type="email"', 'type="tel"', 'name="name"', 'name="email"'):
        assert personal not in section


def test_the_honeypot_is_thanked_and_nothing_is_stored(client, article):
    response = send(client, article, website="http://spam.example")
    assert response.status_code == 303
    assert ProblemReport.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"reason": ""}, "Choose what the problem is."),
        ({"reason": "<script>"}, "Choose one of the problems in the list."),
        ({"details": "x" * 1001}, "Shorten this to 1000 characters"),
        ({"details": "bad\x00byte"}, "characters we cannot accept"),
        ({"form_token": ""}, "We could not accept this form"),
        ({"form_token": "forged"}, "We could not accept this form"),
        ({"form_token": "fresh"}, "quicker than we expected"),
    ],
)
def test_bad_input_is_answered_on_the_page_never_with_a_500(
    client, article, overrides, message
):
    if overrides.get("form_token") == "fresh":
        overrides = {"form_token": make_form_token()}
    response = send(client, article, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="error-summary"' in html
    assert ProblemReport.objects.count() == 0
    assert "no-store" in response["Cache-Control"]


def test_a_stale_form_keeps_what_was_typed_with_a_fresh_token(client, article):
    response = send(
        client,
        article,
        details="Keep me",
        form_token=make_form_token(now=time.time() - 3 * 3600),
    )
    assert response.status_code == 200
    assert "Keep me" in response.content.decode()
    assert ProblemReport.objects.count() == 0


def test_reports_are_rate_limited(client, article, settings):
    settings.FORM_RATE_LIMIT = "2/d"
    assert send(client, article).status_code == 303
    assert send(client, article).status_code == 303
    assert send(client, article).status_code == 429
    assert ProblemReport.objects.count() == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_a_post_from_another_site_is_refused(client, article, headers):
    response = send(client, article, headers=headers)
    assert response.status_code == 403
    assert ProblemReport.objects.count() == 0


def test_a_post_from_the_page_itself_is_accepted(client, article):
    headers = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}
    assert send(client, article, headers=headers).status_code == 303


def test_only_published_articles_take_reports(client, article):
    assert client.post(reverse("pages:report", args=["nope"])).status_code == 404
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert send(client, article).status_code == 404


def test_the_form_has_its_own_page_without_javascript(client, article):
    page = client.get(report_url(article))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in page.content.decode()


def test_the_content_team_sees_reports_and_the_front_desk_does_not(
    client, otp_login, article
):
    report = ProblemReport.objects.create(
        article=article, reason="unclear", details="?"
    )
    changelist = reverse("admin:pages_problemreport_changelist")
    change = reverse("admin:pages_problemreport_change", args=[report.pk])

    otp_login(client, make_staff("desk", group="Front desk"))
    assert client.get(changelist).status_code == 403
    client.logout()

    editor = make_staff("editor", group="Content editor")
    otp_login(client, editor)
    assert client.get(changelist).status_code == 200
    assert client.get(reverse("admin:pages_problemreport_add")).status_code == 403
    response = client.post(
        change, {"status": "fixed", "staff_note": "Figure corrected.", "details": "x"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "fixed" and report.staff_note == "Figure corrected."
    assert report.details == "?"  # what the reader wrote is not editable
    assert report.handled_by == editor and report.handled_at is not None


def test_the_article_page_is_the_same_bytes_on_every_render(client, article):
    first = client.get(article.get_absolute_url())
    cache.clear()
    again = client.get(article.get_absolute_url())
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_a_shared_token_is_accepted_once_old_enough_and_changes_with_the_window():
    start = 1_800_000_000 - 1_800_000_000 % SHARED_TOKEN_SECONDS
    assert make_shared_form_token(start + 5) == make_shared_form_token(start + 500)
    assert make_shared_form_token(start) != make_shared_form_token(
        start + SHARED_TOKEN_SECONDS
    )
    assert read_form_token(make_shared_form_token(start), now=start + 60)[1] is None


def test_a_shared_token_does_not_change_with_the_signing_clock(monkeypatch):
    # signing.dumps() stamps each signature with the current second; a render
    # one second later must still produce the same page bytes.
    start = 1_800_000_000 - 1_800_000_000 % SHARED_TOKEN_SECONDS
    monkeypatch.setattr("django.core.signing.time.time", lambda: start + 7)
    first = make_shared_form_token(start + 7)
    monkeypatch.setattr("django.core.signing.time.time", lambda: start + 300)
    assert make_shared_form_token(start + 300) == first
