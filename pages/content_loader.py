"""Load the shipped education content (pages/content/) into the database.

Articles live in the database so editors can change them in admin; these files
are the first edition. Loading never overwrites an article that already exists
unless asked to, so an editor's changes survive `make run`.
"""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .models import Article, Clinician, Reference

CONTENT_DIR = Path(__file__).resolve().parent / "content"
REVIEW_INTERVAL = dt.timedelta(days=365)


def parse_article_file(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("+++", 2)
    meta = tomllib.loads(front)
    meta["slug"] = meta.get("slug", path.stem)
    return meta, body.strip() + "\n"


def load_clinicians() -> dict[str, Clinician]:
    data = tomllib.loads((CONTENT_DIR / "clinicians.toml").read_text(encoding="utf-8"))
    clinicians = {}
    for row in data["clinicians"]:
        clinician, _ = Clinician.objects.get_or_create(
            key=row["key"],
            defaults={k: row[k] for k in ("name", "credentials", "role")},
        )
        clinicians[row["key"]] = clinician
    return clinicians


@transaction.atomic
def load_articles(*, refresh: bool = False, today: dt.date | None = None) -> int:
    """Create (or with refresh=True, replace) every shipped article. Returns how many."""
    today = today or timezone.localdate()
    clinicians = load_clinicians()
    written = 0
    for path in sorted((CONTENT_DIR / "articles").glob("*.md")):
        meta, body = parse_article_file(path)
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
        article.reviewer = clinicians[meta["reviewer"]]
        article.author = clinicians.get(meta.get("author", ""))
        article.status = Article.Status.PUBLISHED
        article.last_reviewed = today
        article.next_review_due = today + REVIEW_INTERVAL
        article.full_clean()
        article.save()
        article.references.all().delete()
        Reference.objects.bulk_create(
            Reference(article=article, order=number, **ref)
            for number, ref in enumerate(meta["references"], start=1)
        )
        written += 1
    return written
