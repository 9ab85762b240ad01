"""Public change notes: the article page lists what changed at each review."""

import datetime as dt
import shutil

import pytest

from pages.content_loader import CONTENT_DIR, ContentError, load_articles
from pages.models import Article, ArticleChangeNote, ArticleRevision, Clinician
from pages.services import article_revision_approve, article_revision_propose
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_shipped_notes_come_from_front_matter_and_show_under_the_review_line(client):
    load_articles()
    research = Article.objects.get(slug="research")
    notes = list(research.change_notes.all())
    assert len(notes) == 1
    assert notes[0].reviewed_on == dt.date(2026, 12, 1)
    assert "KetECT" in notes[0].note
    html = client.get(research.get_absolute_url()).content.decode()
    review_line = html.index("review-line-reviewer")
    listed = html.index("What changed at each review")
    key_facts = html.index('id="key-facts-heading"')
    assert review_line < listed < key_facts
    assert '<time datetime="2026-12-01">December 1, 2026</time>: Added the' in html


def test_every_shipped_article_has_a_note_for_its_last_review():
    load_articles()
    for article in Article.objects.all():
        assert article.change_notes.filter(
            reviewed_on=article.last_reviewed
        ).exists(), article.slug


def test_reloading_replaces_shipped_notes_and_keeps_approved_ones():
    load_articles()
    research = Article.objects.get(slug="research")
    reviewer = make_staff("rivera", group="Clinical reviewers")
    Clinician.objects.filter(key="dr-rivera").update(user=reviewer)
    revision = article_revision_propose(
        article=research,
        fields={
            **{f: getattr(research, f) for f in ArticleRevision().proposed_fields()},
            "title": "What the research shows today",
        },
        proposed_by=reviewer,
    )
    article_revision_approve(
        revision=revision,
        approver=reviewer,
        note="New title.",
        today=dt.date(2026, 12, 2),
    )
    load_articles(refresh=True)
    notes = list(research.change_notes.values_list("reviewed_on", "note"))
    assert notes[0] == (dt.date(2026, 12, 2), "New title.")
    assert len(notes) == 2
    assert ArticleChangeNote.objects.filter(revision__isnull=True).count() == 10


def test_an_approval_adds_its_note_to_the_public_page_at_once(client):
    load_articles()
    research = Article.objects.get(slug="research")
    client.get(research.get_absolute_url())  # now in the page cache
    reviewer = make_staff("rivera", group="Clinical reviewers")
    Clinician.objects.filter(key="dr-rivera").update(user=reviewer)
    fields = {f: getattr(research, f) for f in ArticleRevision().proposed_fields()}
    revision = article_revision_propose(
        article=research,
        fields={**fields, "summary": fields["summary"] + " More."},
        proposed_by=reviewer,
    )
    article_revision_approve(
        revision=revision, approver=reviewer, note="Shorter summary."
    )
    html = client.get(research.get_absolute_url()).content.decode()
    assert "Shorter summary." in html


@pytest.mark.parametrize(
    "changes, message",
    [
        ('changes = [{ note = "x" }]', "needs reviewed_on"),
        ('changes = [{ reviewed_on = 2030-01-01, note = "x" }]', "after last_reviewed"),
        ('changes = [{ reviewed_on = 2026-12-01, note = "" }]', "note of 1 to 300"),
    ],
)
def test_loading_refuses_a_malformed_change_note(tmp_path, changes, message):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = content / "articles" / "faq.md"
    lines = [
        changes if line.startswith("changes = ") else line
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match=message):
        load_articles(content_dir=content)
