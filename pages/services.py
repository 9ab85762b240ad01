"""Changes to education content that need more than a save: a live article is
changed only through a revision that a clinical reviewer approves."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    REVISED_FIELDS,
    Article,
    ArticleChangeNote,
    ArticleRevision,
    ArticleTranslation,
    Clinician,
    ProblemReport,
)

PUBLISH_PERMISSION = "pages.publish_article"


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def reviewing_clinician(user) -> Clinician:
    """The clinician a page will name when ``user`` publishes a change to it.

    The one rule for every edition: only a holder of the publish permission
    whose account is linked to a clinician record can put clinical text live.
    """
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied
    clinician = Clinician.objects.filter(user=user).first()
    if clinician is None:
        raise ValidationError(
            _(
                "Your account is not linked to a clinician record, so the page "
                "could not name you as its reviewer. Ask an administrator to set "
                "“Staff account” on your clinician record."
            )
        )
    return clinician


def article_revision_propose(
    *, article: Article, fields: dict, proposed_by
) -> ArticleRevision | None:
    """Keep an editor's change to a live article as its pending revision.

    There is at most one pending revision per article: a second edit replaces
    the proposal. A proposal that matches the live text withdraws the pending
    revision instead (returns None).
    """
    proposed = {name: fields[name] for name in REVISED_FIELDS}
    with transaction.atomic():
        live = Article.objects.select_for_update().get(pk=article.pk)
        revision = live.revisions.pending().first()
        if all(getattr(live, name) == value for name, value in proposed.items()):
            if revision:
                revision.status = ArticleRevision.Status.WITHDRAWN
                revision.save(update_fields=["status", "updated_at"])
            return None
        if revision is None:
            revision = ArticleRevision(article=live)
        for name, value in proposed.items():
            setattr(revision, name, value)
        revision.proposed_by = proposed_by
        revision.full_clean()
        revision.save()
    return revision


def article_revision_withdraw(*, revision: ArticleRevision, user) -> ArticleRevision:
    """Drop a pending change; the live page was never touched."""
    if not user.has_perm("pages.change_article"):
        raise PermissionDenied
    with transaction.atomic():
        revision = ArticleRevision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != ArticleRevision.Status.PENDING:
            raise ValidationError(_("This change is no longer waiting for review."))
        revision.status = ArticleRevision.Status.WITHDRAWN
        revision.save(update_fields=["status", "updated_at"])
    return revision


def article_revision_approve(
    *, revision: ArticleRevision, approver, note: str, today: dt.date | None = None
) -> ArticleChangeNote:
    """Publish a pending revision as a new review of its article.

    The approver must hold the publish permission and be linked to a clinician
    record: the page then names that clinician as its reviewer, with today as
    the review date and the next review a year later. ``note`` is the change
    note patients read under the review line.
    """
    if not approver.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": _("Say in one sentence what changed, for the page's readers.")}
        )
    clinician = reviewing_clinician(approver)
    today = today or timezone.localdate()
    with transaction.atomic():
        revision = ArticleRevision.objects.select_for_update().get(pk=revision.pk)
        if revision.status != ArticleRevision.Status.PENDING:
            raise ValidationError(_("This change is no longer waiting for review."))
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        for name, value in revision.proposed_fields().items():
            setattr(article, name, value)
        article.reviewer = clinician
        article.last_reviewed = today
        article.next_review_due = one_year_after(today)
        article.full_clean()
        # Recorded in the article's history (django-simple-history).
        article._change_reason = f"Approved revision {revision.pk}: {note}"[:100]
        article._history_user = approver
        article.save()
        revision.status = ArticleRevision.Status.APPROVED
        revision.approved_by = approver
        revision.approved_by_name = approver.get_full_name() or approver.get_username()
        revision.approved_at = timezone.now()
        revision.save()
        change_note = ArticleChangeNote(
            article=article, note=note, reviewed_on=today, revision=revision
        )
        change_note.full_clean()
        change_note.save()
    return change_note


def translation_review_record(
    *, translation: ArticleTranslation, reviewer, today: dt.date | None = None
) -> ArticleTranslation:
    """Record a clinical reviewer's save of a translation as its new review.

    A translation has no pending revisions: only a reviewer may change one
    that is, or may go, live (pages.admin.TranslationInline), so their save
    is the review. Like an approved article revision, it names their
    clinician record, with today as the review date and a year later as the
    next. The caller saves the translation.
    """
    clinician = reviewing_clinician(reviewer)
    today = today or timezone.localdate()
    translation.reviewer = clinician
    translation.last_reviewed = today
    translation.next_review_due = one_year_after(today)
    translation._history_user = reviewer
    translation._change_reason = "Saved by a clinical reviewer (new review)"
    return translation


def problem_report_create(
    *, article: Article, reason: str, details: str
) -> ProblemReport:
    """Store a reader's report for the content team. Nothing is emailed: the
    text is free and may hold what a reader should not have written."""
    report = ProblemReport(article=article, reason=reason, details=details)
    report.full_clean()
    report.save()
    return report


def problem_report_update(
    *, report: ProblemReport, status: str, staff_note: str, user
) -> ProblemReport:
    """Record the content team's answer; who and when is set when it is closed."""
    report.status = status
    report.staff_note = staff_note
    if status == ProblemReport.Status.NEW:
        report.handled_by, report.handled_at = None, None
    elif report.handled_at is None:
        report.handled_by, report.handled_at = user, timezone.now()
    report.full_clean()
    report.save()
    return report
