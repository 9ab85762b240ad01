"""The article admin: the review-overdue filter and the preview link."""

import datetime as dt

import pytest
from django.urls import reverse

from pages.models import Article

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:pages_article_changelist")


@pytest.fixture
def research_overdue(demo):
    Article.objects.filter(slug="research").update(
        next_review_due=dt.date(2020, 1, 1), last_reviewed=dt.date(2019, 1, 1)
    )
    return Article.objects.get(slug="research")


def listed(response):
    assert response.status_code == 200
    return {article.slug for article in response.context["cl"].result_list}


def test_review_filter_lists_overdue_articles_and_only_them(
    otp_staff_client, research_overdue
):
    every = set(Article.objects.values_list("slug", flat=True))
    assert len(every) > 1

    overdue = listed(otp_staff_client.get(CHANGELIST, {"review": "overdue"}))
    current = listed(otp_staff_client.get(CHANGELIST, {"review": "current"}))

    assert overdue == {"research"}
    assert current == every - {"research"}
    assert listed(otp_staff_client.get(CHANGELIST)) == every


def test_an_article_due_today_is_not_overdue(otp_staff_client, demo):
    from django.utils import timezone

    Article.objects.filter(slug="history").update(next_review_due=timezone.localdate())
    overdue = listed(otp_staff_client.get(CHANGELIST, {"review": "overdue"}))
    assert "history" not in overdue


def test_changelist_marks_the_overdue_row_and_links_each_preview(
    otp_staff_client, research_overdue
):
    response = otp_staff_client.get(CHANGELIST)
    html = response.content.decode()
    row = html.split('href="/learn/research/"')[0].rsplit("<tr", 1)[1]
    assert ">Overdue</strong>" in row
    assert html.count(">Overdue</strong>") == 1
    for article in Article.objects.all():
        assert f'<a href="{article.get_absolute_url()}">View</a>' in html


def test_the_preview_link_opens_a_draft_for_staff_only(otp_staff_client, demo):
    Article.objects.filter(slug="history").update(status=Article.Status.DRAFT)
    html = otp_staff_client.get(CHANGELIST).content.decode()
    assert '<a href="/learn/history/">View</a>' in html

    preview = otp_staff_client.get("/learn/history/")
    assert preview.status_code == 200
    assert "Draft preview" in preview.content.decode()
    otp_staff_client.logout()
    assert otp_staff_client.get("/learn/history/").status_code == 404
