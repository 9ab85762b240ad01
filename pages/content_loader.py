"""Load the shipped education content (pages/content/) into the database.

Articles live in the database so editors can change them in admin; these files
are the first edition. Loading never overwrites an article that already exists
unless asked to, so an editor's changes survive `make run`.

Each file's front matter records its own review: who wrote it, which clinician
reviewed it and when, and when the next review is due. Those are facts about
the text, so the loader copies them and never makes one up: a file without them
is refused, and loading again gives the same dates.
"""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import transaction

from .models import Article, ArticleChangeNote, Clinician, Reference

CONTENT_DIR = Path(__file__).resolve().parent / "content"
REVIEW_KEYS = ("author", "reviewer", "last_reviewed", "next_review_due")
REQUIRED_KEYS = ("title", "meta_description", "summary", "nav_group", "references")


class ContentError(ValueError):
    """A shipped content file is incomplete or inconsistent."""


def parse_article_file(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    try:
        _, front, body = text.split("+++", 2)
        meta = tomllib.loads(front)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise ContentError(f"{path.name}: unreadable front matter ({error})") from None
    meta["slug"] = meta.get("slug", path.stem)
    return meta, body.strip() + "\n"


def check_article_meta(path: Path, meta: dict, clinician_keys: set[str]) -> None:
    """Refuse a file whose review record is missing or does not add up."""
    for key in (*REQUIRED_KEYS, *REVIEW_KEYS):
        if key not in meta:
            raise ContentError(
                f"{path.name}: front matter has no '{key}' "
                f"(every article needs {', '.join(REVIEW_KEYS)})"
            )
    for key in ("author", "reviewer"):
        if meta[key] not in clinician_keys:
            raise ContentError(
                f"{path.name}: {key} '{meta[key]}' is not in clinicians.toml"
            )
    for key in ("last_reviewed", "next_review_due"):
        # TOML dates are bare (2026-12-01); a quoted string or a date-time is
        # not a review date.
        value = meta[key]
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ContentError(
                f"{path.name}: {key} must be a date such as 2026-12-01, not {value!r}"
            )
    if meta["next_review_due"] <= meta["last_reviewed"]:
        raise ContentError(f"{path.name}: next_review_due is not after last_reviewed")
    check_changes(path, meta)


def check_changes(path: Path, meta: dict) -> None:
    """``changes`` (optional): what changed at each review, as the page lists it."""
    changes = meta.get("changes", [])
    if not isinstance(changes, list):
        raise ContentError(f"{path.name}: changes must be a list")
    for number, change in enumerate(changes, start=1):
        day, note = change.get("reviewed_on"), change.get("note")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ContentError(
                f"{path.name}: change {number} needs reviewed_on, a date such as "
                "2026-12-01"
            )
        if day > meta["last_reviewed"]:
            raise ContentError(
                f"{path.name}: change {number} is dated after last_reviewed"
            )
        if not isinstance(note, str) or not note.strip() or len(note) > 300:
            raise ContentError(
                f"{path.name}: change {number} needs a note of 1 to 300 characters"
            )


def read_clinicians(content_dir: Path = CONTENT_DIR) -> list[dict]:
    path = content_dir / "clinicians.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["clinicians"]


def load_clinicians(rows: list[dict]) -> dict[str, Clinician]:
    clinicians = {}
    for row in rows:
        clinician, _ = Clinician.objects.get_or_create(
            key=row["key"],
            defaults={k: row[k] for k in ("name", "credentials", "role")},
        )
        clinicians[row["key"]] = clinician
    return clinicians


def read_articles(content_dir: Path, clinician_keys: set[str]):
    """Every article file, parsed and checked, before anything is written."""
    articles = []
    for path in sorted((content_dir / "articles").glob("*.md")):
        meta, body = parse_article_file(path)
        check_article_meta(path, meta, clinician_keys)
        articles.append((meta, body))
    return articles


@transaction.atomic
def load_articles(*, refresh: bool = False, content_dir: Path = CONTENT_DIR) -> int:
    """Create (or with refresh=True, replace) every shipped article. Returns how many."""
    rows = read_clinicians(content_dir)
    articles = read_articles(content_dir, {row["key"] for row in rows})
    clinicians = load_clinicians(rows)
    written = 0
    for meta, body in articles:
        existing = Article.objects.filter(slug=meta["slug"]).first()
        if existing and not refresh:
            continue
        article = existing or Article(slug=meta["slug"])
        article.title = meta["title"]
        article.meta_description = meta["meta_description"]
        article.summary = meta["summary"]
        article.body = body
        article.nav_group = meta["nav_group"]
        article.nav_order = meta.get("nav_order", 0)
        article.author = clinicians[meta["author"]]
        article.reviewer = clinicians[meta["reviewer"]]
        article.status = Article.Status.PUBLISHED
        article.last_reviewed = meta["last_reviewed"]
        article.next_review_due = meta["next_review_due"]
        article.full_clean()
        article.save()
        article.references.all().delete()
        Reference.objects.bulk_create(
            Reference(article=article, order=number, **ref)
            for number, ref in enumerate(meta["references"], start=1)
        )
        # Notes written by approving a revision in the admin are kept.
        article.change_notes.filter(revision__isnull=True).delete()
        ArticleChangeNote.objects.bulk_create(
            ArticleChangeNote(
                article=article, reviewed_on=change["reviewed_on"], note=change["note"]
            )
            for change in meta.get("changes", [])
        )
        written += 1
    return written
