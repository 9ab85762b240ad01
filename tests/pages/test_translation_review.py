"""A Spanish edition is clinical text too: only a clinical reviewer puts a change
to it live, and their save is recorded as its new review."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core import caching
from pages.admin import TranslationInline
from pages.models import Article, ArticleTranslation, Clinician
from pages.services import translation_review_record
from tests.factories import make_staff
from tests.pages.test_revisions import change_form_data

pytestmark = pytest.mark.django_db

LIVE_BODY = "## Antes\n\nLa sesión dura unos 40 minutos.\n"
EDITED_BODY = "## Antes\n\nLa sesión dura dos horas.\n"


@pytest.fixture(autouse=True)
def _fresh_local_pages():
    caching._LocalPages.reset()
    yield
    caching._LocalPages.reset()


@pytest.fixture
def article(db):
    ortega = Clinician.objects.create(
        name="Dra. Lucía Ortega",
        key="dra-ortega",
        credentials="MD",
        role="Psychiatrist",
    )
    article = Article.objects.create(
        title="What to expect",
        slug="what-to-expect",
        meta_description="A first infusion, step by step.",
        summary="A session lasts about 40 minutes.",
        body="## Before\n\nA session lasts about 40 minutes.\n",
        nav_group=Article.NavGroup.TREATMENT,
        status=Article.Status.PUBLISHED,
        reviewer=ortega,
        last_reviewed=dt.date(2026, 1, 10),
        next_review_due=dt.date(2027, 1, 10),
    )
    ArticleTranslation.objects.create(
        article=article,
        language="es",
        title="Qué esperar",
        meta_description="Una primera infusión, paso a paso.",
        summary="Una sesión dura unos 40 minutos.",
        body=LIVE_BODY,
        status=Article.Status.PUBLISHED,
        reviewer=ortega,
        last_reviewed=dt.date(2026, 1, 12),
        next_review_due=dt.date(2027, 1, 12),
        follows_english=dt.date(2026, 1, 10),
    )
    return article


@pytest.fixture
def editor(db):
    user = make_staff("editor", group="Content editor")
    # Even given the change permission outright, an editor cannot change a
    # live translation: the lock is the publish permission, not the group.
    user.user_permissions.add(
        Permission.objects.get(codename="change_articletranslation")
    )
    return user


@pytest.fixture
def reviewer(db):
    user = make_staff("lindqvist", group="Clinical reviewers")
    clinician = Clinician.objects.create(
        name="Dr. Tobias Lindqvist",
        key="dr-lindqvist",
        credentials="MD",
        role="Anesthesiologist",
        user=user,
    )
    user.clinician_record = clinician
    return user


def post_spanish_edit(client, article, **changes):
    data = change_form_data(client, article)
    for name, value in changes.items():
        data[f"translations-0-{name}"] = value
    return client.post(reverse("admin:pages_article_change", args=[article.pk]), data)


def spanish_page(client):
    client.logout()
    return client.get("/es/learn/what-to-expect/").content.decode()


def test_an_editors_save_does_not_change_the_live_spanish_page(
    client, otp_login, article, editor
):
    otp_login(client, editor)
    form = client.get(reverse("admin:pages_article_change", args=[article.pk]))
    assert "Only a clinical reviewer can change a live translation" in (
        form.content.decode()
    )
    response = post_spanish_edit(client, article, body=EDITED_BODY, status="draft")
    assert response.status_code == 302
    spanish = article.translations.get()
    assert spanish.body == LIVE_BODY
    assert spanish.status == Article.Status.PUBLISHED
    assert spanish.last_reviewed == dt.date(2026, 1, 12)
    assert spanish.history.count() == 1
    page = spanish_page(client)
    assert "unos 40 minutos" in page
    assert "dos horas" not in page


def test_a_published_translation_of_a_draft_article_is_locked_too(
    rf, article, editor, reviewer
):
    # It would go live, unreviewed, the moment the English page is published.
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    article.refresh_from_db()
    inline = TranslationInline(Article, admin.site)
    request = RequestFactory().get("/")
    request.user = editor
    assert not inline.has_change_permission(request, article)
    assert not inline.has_add_permission(request, article)
    assert not inline.has_delete_permission(request, article)
    assert "status" in inline.get_readonly_fields(request, article)
    request.user = reviewer
    assert inline.has_change_permission(request, article)

    ArticleTranslation.objects.update(status=Article.Status.DRAFT)
    request.user = editor
    # A draft of a draft is an editor's to write, but they cannot publish it.
    assert inline.has_change_permission(request, article)
    assert "status" in inline.get_readonly_fields(request, article)


def test_a_reviewers_save_goes_live_and_records_the_review(
    client, otp_login, article, reviewer
):
    otp_login(client, reviewer)
    form = client.get(reverse("admin:pages_article_change", args=[article.pk]))
    assert "publishes it at once as your review" in form.content.decode()
    response = post_spanish_edit(client, article, body=EDITED_BODY)
    assert response.status_code == 302, response.context and [
        fs.formset.non_form_errors() for fs in response.context["inline_admin_formsets"]
    ]
    spanish = article.translations.get()
    today = timezone.localdate()
    assert spanish.body == EDITED_BODY.strip()
    assert spanish.reviewer == reviewer.clinician_record
    assert spanish.last_reviewed == today
    next_due = spanish.next_review_due
    assert (next_due.year, next_due.month) == (today.year + 1, today.month)
    assert (next_due - today).days in (365, 366)
    latest = spanish.history.latest()
    assert latest.history_user == reviewer
    article.refresh_from_db()
    # The English edition's review is not touched.
    assert article.last_reviewed == dt.date(2026, 1, 10)
    page = spanish_page(client)
    assert "dos horas" in page
    assert "Lindqvist" in page


def test_a_reviewer_cannot_type_another_review_record(
    client, otp_login, article, reviewer
):
    otp_login(client, reviewer)
    response = post_spanish_edit(
        client, article, body=EDITED_BODY, last_reviewed="2020-01-01"
    )
    assert response.status_code == 302
    assert article.translations.get().last_reviewed == timezone.localdate()


def test_a_reviewer_without_a_clinician_record_is_refused_and_nothing_changes(
    client, otp_login, article
):
    unlinked = make_staff("unlinked", group="Clinical reviewers")
    otp_login(client, unlinked)
    response = post_spanish_edit(client, article, body=EDITED_BODY)
    assert response.status_code == 200
    assert "not linked to a clinician record" in response.content.decode()
    spanish = article.translations.get()
    assert spanish.body == LIVE_BODY
    assert spanish.last_reviewed == dt.date(2026, 1, 12)


def test_an_unchanged_save_by_a_reviewer_is_not_a_review(
    client, otp_login, article, reviewer
):
    otp_login(client, reviewer)
    response = post_spanish_edit(client, article)
    assert response.status_code == 302
    assert article.translations.get().last_reviewed == dt.date(2026, 1, 12)


def test_the_review_record_needs_the_publish_permission(article, editor):
    spanish = article.translations.get()
    with pytest.raises(PermissionDenied):
        translation_review_record(translation=spanish, reviewer=editor)
