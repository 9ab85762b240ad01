import shutil

import pytest
from django.utils import timezone

from pages.content_loader import (
    CONTENT_DIR,
    REVIEW_KEYS,
    ContentError,
    load_articles,
    parse_article_file,
)
from pages.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def content_copy(tmp_path):
    """A copy of the shipped content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def drop_line(path, key):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{key} = ")]
    assert len(kept) == len(lines) - 1, f"{key} not found once in {path.name}"
    path.write_text("".join(kept), encoding="utf-8")


@pytest.mark.parametrize("key", REVIEW_KEYS)
def test_loading_refuses_an_article_missing_review_data(content_copy, key):
    broken = content_copy / "articles" / "history.md"
    drop_line(broken, key)

    with pytest.raises(ContentError) as error:
        load_articles(content_dir=content_copy)

    assert "history.md" in str(error.value) and f"'{key}'" in str(error.value)
    # Checked before anything is written: no article half-loaded.
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    "line, message",
    [
        ('last_reviewed = "2026-12-01"', "must be a date"),
        ("last_reviewed = 2026-12-01T09:00:00", "must be a date"),
        ("last_reviewed = 2028-01-01", "not after last_reviewed"),
        ('author = "dr-nobody"', "not in clinicians.toml"),
    ],
)
def test_loading_refuses_review_data_that_does_not_add_up(content_copy, line, message):
    path = content_copy / "articles" / "faq.md"
    key = line.split(" = ")[0]
    drop_line(path, key)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("+++\n", f"+++\n{line}\n", 1), encoding="utf-8")

    with pytest.raises(ContentError, match=message):
        load_articles(content_dir=content_copy)


def test_review_dates_come_from_the_files_and_reloading_never_restamps():
    load_articles()
    for path in sorted((CONTENT_DIR / "articles").glob("*.md")):
        meta, _ = parse_article_file(path)
        article = Article.objects.select_related("author", "reviewer").get(
            slug=meta["slug"]
        )
        assert article.last_reviewed == meta["last_reviewed"]
        assert article.next_review_due == meta["next_review_due"]
        assert article.author.key == meta["author"]
        assert article.reviewer.key == meta["reviewer"]
        assert article.author != article.reviewer, "a writer does not sign off alone"

    before = dict(Article.objects.values_list("slug", "last_reviewed"))
    assert load_articles() == 0  # existing articles are left alone
    assert load_articles(refresh=True) == len(before)
    assert dict(Article.objects.values_list("slug", "last_reviewed")) == before


def test_no_shipped_review_date_is_in_the_future():
    today = timezone.localdate()
    for path in (CONTENT_DIR / "articles").glob("*.md"):
        meta, _ = parse_article_file(path)
        assert meta["last_reviewed"] <= today, path.name
