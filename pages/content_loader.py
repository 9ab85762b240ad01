"""Load the shipped education content (pages/content/) into the database.

Articles live in the database so editors can change them in admin; these files
are the first edition. Loading never overwrites an article that already exists
unless asked to, so an editor's changes survive `make run`.

Each file's front matter records its own review: who wrote it, which clinician
reviewed it and when, and when the next review is due. Those are facts about
the text, so the loader copies them and never makes one up: a file without them
is refused, and loading again gives the same dates.

A translation lives in a folder named for its language
(``articles/es/<slug>.md``): its own words, reviewer and review dates, and
``follows_english``, the English edition's review date it was made from. It
cites the English article's references by their numbers and has none of its
own, so both editions point at the same sources.
"""

import datetime as dt
import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import (
    Article,
    ArticleChangeNote,
    ArticleTranslation,
    Clinician,
    Reference,
)
from .rendering import FOOTNOTE_MARKER

CONTENT_DIR = Path(__file__).resolve().parent / "content"
REVIEW_KEYS = ("author", "reviewer", "last_reviewed", "next_review_due")
REQUIRED_KEYS = ("title", "meta_description", "summary", "nav_group", "references")
TRANSLATION_KEYS = (
    "title",
    "meta_description",
    "summary",
    "reviewer",
    "last_reviewed",
    "next_review_due",
    "follows_english",
)


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


def check_article_meta(
    path: Path,
    meta: dict,
    clinician_keys: set[str],
    required=(*REQUIRED_KEYS, *REVIEW_KEYS),
) -> None:
    """Refuse a file whose review record is missing or does not add up."""
    for key in required:
        if key not in meta:
            raise ContentError(
                f"{path.name}: front matter has no '{key}' "
                f"(every article needs {', '.join(REVIEW_KEYS)})"
            )
    for key in ("author", "reviewer"):
        if key in meta and meta[key] not in clinician_keys:
            raise ContentError(
                f"{path.name}: {key} '{meta[key]}' is not in clinicians.toml"
            )
    for key in ("last_reviewed", "next_review_due", "follows_english"):
        if key not in meta:
            continue
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
        if row.get("role_es") and not clinician.role_es:
            # A role in Spanish added to the file after the clinician was
            # first loaded; an editor's own wording is never replaced.
            clinician.role_es = row["role_es"]
            clinician.save(update_fields=["role_es"])
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


def translation_languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def read_translations(content_dir: Path, clinician_keys: set[str], english: dict):
    """Every translation file, checked against the English article it follows.

    ``english`` maps each shipped slug to its front matter.
    """
    translations = []
    for language in translation_languages():
        for path in sorted((content_dir / "articles" / language).glob("*.md")):
            meta, body = parse_article_file(path)
            name = f"{language}/{path.name}"
            check_article_meta(path, meta, clinician_keys, TRANSLATION_KEYS)
            source = english.get(meta["slug"])
            if source is None:
                raise ContentError(f"{name}: no English article '{meta['slug']}'")
            if "references" in meta:
                raise ContentError(
                    f"{name}: a translation cites the English article's references"
                )
            if meta["follows_english"] > source["last_reviewed"]:
                raise ContentError(
                    f"{name}: follows_english is after the English review date"
                )
            cited = {int(n) for n in FOOTNOTE_MARKER.findall(body)}
            if cited and max(cited) > len(source["references"]):
                raise ContentError(f"{name}: cites a reference the article lacks")
            translations.append((language, meta, body))
    return translations


@transaction.atomic
def load_articles(*, refresh: bool = False, content_dir: Path = CONTENT_DIR) -> int:
    """Create (or with refresh=True, replace) every shipped article. Returns how many."""
    rows = read_clinicians(content_dir)
    keys = {row["key"] for row in rows}
    articles = read_articles(content_dir, keys)
    translations = read_translations(
        content_dir, keys, {meta["slug"]: meta for meta, _ in articles}
    )
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
    load_translations(translations, clinicians, refresh=refresh)
    return written


def load_translations(translations, clinicians, *, refresh: bool) -> int:
    written = 0
    for language, meta, body in translations:
        article = Article.objects.get(slug=meta["slug"])
        existing = article.translations.filter(language=language).first()
        if existing and not refresh:
            continue
        edition = existing or ArticleTranslation(article=article, language=language)
        for key in ("title", "meta_description", "summary"):
            setattr(edition, key, meta[key])
        edition.body = body
        edition.reviewer = clinicians[meta["reviewer"]]
        edition.last_reviewed = meta["last_reviewed"]
        edition.next_review_due = meta["next_review_due"]
        edition.follows_english = meta["follows_english"]
        edition.status = Article.Status.PUBLISHED
        edition.full_clean()
        edition.save()
        written += 1
    return written
