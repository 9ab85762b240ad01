"""Drafts of live pages: an edit is a pending revision until a clinical reviewer
approves it, which records the review and the change note."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pages.diff import revision_diff, text_diff
from pages.models import Article, ArticleChangeNote, ArticleRevision, Clinician
from pages.services import article_revision_approve, article_revision_propose
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    rivera = Clinician.objects.create(
        name="Dr. Elena Rivera", key="dr-rivera", credentials="MD", role="Psychiatrist"
    )
    return Article.objects.create(
        title="What the research shows",
        slug="research",
        meta_description="Key ketamine studies in numbers.",
        summary="Most studies are small and short.",
        body="## Trials\n\nSUSTAIN-1 followed people for months.\n\nEnd.\n",
        nav_group=Article.NavGroup.EVIDENCE,
        status=Article.Status.PUBLISHED,
        author=rivera,
        reviewer=rivera,
        last_reviewed=dt.date(2026, 1, 10),
        next_review_due=dt.date(2027, 1, 10),
    )


@pytest.fixture
def editor(db):
    return make_staff("editor", group="Content editor")


@pytest.fixture
def reviewer(db):
    user = make_staff(
        "lindqvist", group="Clinical reviewers", first_name="Tobias", last_name="L"
    )
    Clinician.objects.create(
        name="Dr. Tobias Lindqvist",
        key="dr-lindqvist",
        credentials="MD",
        role="Anesthesiologist",
        user=user,
    )
    return user


def change_form_data(client, article):
    """The article's admin change form as it would be submitted unchanged."""
    page = client.get(reverse("admin:pages_article_change", args=[article.pk]))
    assert page.status_code == 200
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


KETECT = "KetECT found more remissions with ECT than with ketamine."


def propose(article, editor, **changes):
    fields = {
        name: getattr(article, name) for name in ArticleRevision().proposed_fields()
    }
    return article_revision_propose(
        article=article, fields={**fields, **changes}, proposed_by=editor
    )


def test_an_editors_save_to_a_live_article_is_pending_and_not_live(
    client, otp_login, article, editor
):
    otp_login(client, editor)
    data = change_form_data(client, article)
    data["body"] = article.body + "\n" + KETECT + "\n"
    response = client.post(
        reverse("admin:pages_article_change", args=[article.pk]), data
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    revision = ArticleRevision.objects.get()
    assert response["Location"] == reverse(
        "admin:pages_articlerevision_change", args=[revision.pk]
    )
    assert revision.status == ArticleRevision.Status.PENDING
    assert revision.proposed_by == editor
    assert KETECT in revision.body
    logged = LogEntry.objects.get(object_id=str(article.pk))
    assert logged.change_message == (
        f"Proposed revision {revision.pk}; the live text is unchanged."
    )
    article.refresh_from_db()
    assert KETECT not in article.body
    assert article.last_reviewed == dt.date(2026, 1, 10)
    client.logout()
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "KetECT" not in page.content.decode()


def test_a_second_edit_builds_on_the_pending_revision(
    client, otp_login, article, editor
):
    propose(article, editor, body=article.body + KETECT)
    otp_login(client, editor)
    data = change_form_data(client, article)
    assert KETECT in data["body"]
    data["title"] = "What the research shows now"
    client.post(reverse("admin:pages_article_change", args=[article.pk]), data)
    revision = ArticleRevision.objects.get()
    assert KETECT in revision.body and revision.title.endswith("now")


def test_editors_cannot_change_the_review_record_or_status_of_a_live_article(
    client, otp_login, article, editor
):
    otp_login(client, editor)
    data = change_form_data(client, article)
    assert "last_reviewed" not in data and "status" not in data
    data.update(last_reviewed="2026-12-01", status="draft")
    client.post(reverse("admin:pages_article_change", args=[article.pk]), data)
    article.refresh_from_db()
    assert article.last_reviewed == dt.date(2026, 1, 10)
    assert article.status == Article.Status.PUBLISHED


def test_proposing_the_live_text_withdraws_the_pending_revision(article, editor):
    revision = propose(article, editor, body="Changed.")
    assert propose(article, editor) is None
    revision.refresh_from_db()
    assert revision.status == ArticleRevision.Status.WITHDRAWN
    assert not ArticleRevision.objects.pending().exists()


def test_approval_publishes_and_records_the_review_and_change_note(
    article, editor, reviewer
):
    revision = propose(article, editor, body=article.body + KETECT)
    note = article_revision_approve(
        revision=revision,
        approver=reviewer,
        note="Added the KetECT trial.",
        today=dt.date(2026, 12, 2),
    )
    article.refresh_from_db()
    assert KETECT in article.body
    assert article.reviewer.key == "dr-lindqvist"
    assert article.last_reviewed == dt.date(2026, 12, 2)
    assert article.next_review_due == dt.date(2027, 12, 2)
    revision.refresh_from_db()
    assert revision.status == ArticleRevision.Status.APPROVED
    assert revision.approved_by == reviewer
    assert revision.approved_by_name == "Tobias L"
    assert revision.approved_at is not None
    assert note == ArticleChangeNote.objects.get(article=article)
    assert (note.note, note.reviewed_on, note.revision) == (
        "Added the KetECT trial.",
        dt.date(2026, 12, 2),
        revision,
    )
    latest = article.history.first()
    assert latest.history_user == reviewer
    assert latest.history_change_reason.startswith(f"Approved revision {revision.pk}")


def test_a_review_on_29_february_is_due_again_on_28_february(article, editor, reviewer):
    revision = propose(article, editor, body="New.")
    article_revision_approve(
        revision=revision,
        approver=reviewer,
        note="Rewritten.",
        today=dt.date(2028, 2, 29),
    )
    article.refresh_from_db()
    assert article.next_review_due == dt.date(2029, 2, 28)


def test_only_the_clinical_reviewers_may_approve(article, editor):
    revision = propose(article, editor, body="New.")
    with pytest.raises(PermissionDenied):
        article_revision_approve(revision=revision, approver=editor, note="x")
    revision.refresh_from_db()
    assert revision.status == ArticleRevision.Status.PENDING
    assert "pages.publish_article" in {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Clinical reviewers").permissions.all()
    }
    assert (
        not Group.objects.get(name="Content editor")
        .permissions.filter(codename="publish_article")
        .exists()
    )


def test_a_reviewer_without_a_clinician_record_cannot_be_named_and_is_refused(
    article, editor
):
    unlinked = make_staff("unlinked", group="Clinical reviewers")
    revision = propose(article, editor, body="New.")
    with pytest.raises(ValidationError, match="not linked to a clinician record"):
        article_revision_approve(revision=revision, approver=unlinked, note="x")
    article.refresh_from_db()
    assert article.body != "New." and article.reviewer.key == "dr-rivera"


def test_an_approved_revision_cannot_be_approved_twice(article, editor, reviewer):
    revision = propose(article, editor, body="New.")
    article_revision_approve(revision=revision, approver=reviewer, note="One.")
    with pytest.raises(ValidationError):
        article_revision_approve(revision=revision, approver=reviewer, note="Two.")
    assert ArticleChangeNote.objects.count() == 1


def test_approve_page_refuses_editors_and_publishes_for_reviewers(
    client, otp_login, article, editor, reviewer
):
    revision = propose(article, editor, body=article.body + KETECT)
    url = reverse("admin:pages_articlerevision_approve", args=[revision.pk])
    change_url = reverse("admin:pages_articlerevision_change", args=[revision.pk])

    otp_login(client, editor)
    page = client.get(change_url)
    assert page.status_code == 200
    assert url not in page.content.decode()
    assert client.post(url, {"note": "Sneaky."}).status_code == 403
    article.refresh_from_db()
    assert KETECT not in article.body
    client.logout()

    otp_login(client, reviewer)
    assert url in client.get(change_url).content.decode()
    assert client.post(url, {"note": ""}).status_code == 200  # note required
    response = client.post(url, {"note": "Added the KetECT trial."})
    assert response.status_code == 302
    article.refresh_from_db()
    assert KETECT in article.body
    assert article.change_notes.get().note == "Added the KetECT trial."


def test_editors_see_the_diff_against_the_live_text_escaped(
    client, otp_login, article, editor
):
    propose(
        article,
        editor,
        body=article.body.replace("for months", "for <b>years</b>"),
    )
    otp_login(client, editor)
    revision = ArticleRevision.objects.get()
    html = client.get(
        reverse("admin:pages_articlerevision_change", args=[revision.pk])
    ).content.decode()
    assert "<del>months</del>" in html
    assert "&lt;b&gt;years&lt;/b&gt;</ins>" in html
    assert "<b>years</b>" not in html


def test_text_diff_marks_changed_words_and_added_lines():
    html = text_diff("one\ntwo three\nfour", "one\ntwo 3\nfour\nfive & six")
    assert '<li class="diff-del">' in html and "<del>three</del>" in html
    assert "<ins>3</ins>" in html
    assert "five &amp; six" in html


def test_revision_diff_lists_only_changed_fields(article, editor):
    revision = propose(article, editor, title="New title")
    assert [diff.label for diff in revision_diff(revision)] == ["Title"]


def test_preview_is_private_unguessable_and_not_cached(
    client, otp_login, article, editor
):
    revision = propose(article, editor, body=article.body + KETECT)
    url = revision.get_preview_url()
    assert str(revision.preview_token) in url and f"/{revision.pk}/" not in url

    assert client.get(url).status_code == 404  # anonymous
    front_desk = make_staff("desk", group="Front desk")
    otp_login(client, front_desk)
    assert client.get(url).status_code == 404
    client.logout()
    client.force_login(editor)  # password only, no second factor
    assert client.get(url).status_code == 404
    client.logout()

    otp_login(client, editor)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "KetECT" in html
    assert "Preview of a change waiting for clinical review" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    # The live page, the same article, still reads the live text.
    client.logout()
    assert "KetECT" not in client.get(article.get_absolute_url()).content.decode()


def test_preview_of_a_withdrawn_revision_is_gone(client, otp_login, article, editor):
    revision = propose(article, editor, body="New.")
    propose(article, editor)
    otp_login(client, editor)
    assert client.get(revision.get_preview_url()).status_code == 404


def test_history_pages_of_a_live_article_show_its_past_not_the_pending_change(
    otp_staff_client, article, editor
):
    propose(article, editor, title="A pending title")
    version = article.history.earliest()
    url = reverse(
        "admin:pages_article_simple_history", args=[article.pk, version.history_id]
    )
    page = otp_staff_client.get(url)
    assert page.status_code == 200
    assert page.context["adminform"].form.initial["title"] == "What the research shows"


def test_an_editor_may_withdraw_a_pending_change(client, otp_login, article, editor):
    revision = propose(article, editor, body="New.")
    url = reverse("admin:pages_articlerevision_withdraw", args=[revision.pk])
    otp_login(client, make_staff("desk", group="Front desk"))
    assert client.post(url).status_code == 403
    client.logout()
    otp_login(client, editor)
    change = client.get(
        reverse("admin:pages_articlerevision_change", args=[revision.pk])
    )
    assert url in change.content.decode()
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    revision.refresh_from_db()
    assert revision.status == ArticleRevision.Status.WITHDRAWN
    article.refresh_from_db()
    assert article.body != "New."
    assert client.post(url).status_code == 200  # already withdrawn: said, not a 500
