"""Spanish editions of the articles: their own words and review, the same sources."""

import datetime as dt
import re
import shutil

import pytest
import textstat
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import escape

from core import caching
from core.facts import fill_facts, hand_written_facts
from pages.admin import TranslationInline
from pages.content_loader import (
    CONTENT_DIR,
    ContentError,
    load_articles,
    parse_article_file,
)
from pages.models import Article, ArticleTranslation
from pages.rendering import FOOTNOTE_MARKER
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SPANISH_DIR = CONTENT_DIR / "articles" / "es"
REQUIRED_SPANISH = {
    "what-is-ketamine",
    "side-effects-and-safety",
    "is-ketamine-right-for-me",
    "what-to-expect",
    "cost-and-insurance",
}
# The English pages' balance rules, in Spanish: never promise a cure, a
# miracle or a medicine without side effects.
BANNED_ES = re.compile(
    r"(?<![\w-])("
    r"cura|curas|curar|curarse|curación|cura(?:do|da|dos|das)|milagro\w*|"
    r"sin efectos secundarios|sin efectos adversos|100 ?% segur[oa]|"
    r"totalmente segur[oa]|completamente segur[oa]|garantiza\w*|mágic\w*"
    r")(?![\w-])",
    re.I,
)
# Fernández Huerta reading ease (the Spanish Flesch); 60 and over reads as
# "normal" to "easy", about the English pages' grade-8 target.
MIN_READING_EASE = 60


@pytest.fixture(autouse=True)
def _fresh_local_pages():
    caching._LocalPages.reset()
    yield
    caching._LocalPages.reset()


def plain_text(markdown_source):
    with translation.override("es"):
        text = fill_facts(markdown_source)
    text = re.sub(r"\[\[[a-z-]+\]\]", "", text)
    text = re.sub(r"\[(\d+)\]", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = re.sub(r"^[#>*\-|]+\s*", "", text, flags=re.M)
    return re.sub(r"[*_`|]", "", text)


def reading_ease(text):
    textstat.set_lang("es")
    try:
        return textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en_US")


def main_text(html):
    return re.sub(r"<[^>]+>", " ", html.split('id="main-content"')[1])


def test_the_five_spanish_articles_ship():
    assert {p.stem for p in SPANISH_DIR.glob("*.md")} >= REQUIRED_SPANISH


@pytest.mark.parametrize("slug", sorted(REQUIRED_SPANISH))
def test_spanish_article_content_rules(demo, slug):
    spanish = ArticleTranslation.objects.select_related("article", "reviewer").get(
        article__slug=slug, language="es"
    )
    english = spanish.article
    meta, _ = parse_article_file(SPANISH_DIR / f"{slug}.md")
    text = " ".join(
        [spanish.title, spanish.summary, spanish.body, spanish.meta_description]
    )

    assert BANNED_ES.findall(text) == []
    assert hand_written_facts(text) == []
    # The same sources: every one of the English article's references is
    # cited, by its number, and no other.
    cited = {int(n) for n in FOOTNOTE_MARKER.findall(spanish.body)}
    assert cited == set(range(1, english.references.count() + 1))
    # Its own review, by a named bilingual clinician, recorded in the file.
    assert spanish.reviewer.role_es and spanish.reviewer.name
    assert spanish.last_reviewed == meta["last_reviewed"]
    assert spanish.next_review_due == meta["next_review_due"] > spanish.last_reviewed
    assert spanish.follows_english == meta["follows_english"]
    assert spanish.follows_english <= english.last_reviewed
    assert spanish.title != english.title and spanish.body != english.body

    assert reading_ease(plain_text(spanish.body)) >= MIN_READING_EASE, slug
    assert reading_ease(plain_text(spanish.summary)) >= MIN_READING_EASE, slug


@pytest.mark.parametrize("slug", sorted(REQUIRED_SPANISH))
def test_spanish_article_page(demo, client, slug):
    spanish = ArticleTranslation.objects.get(article__slug=slug, language="es")
    english = spanish.article
    response = client.get(f"/es/learn/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()

    assert '<html lang="es">' in html
    assert '<article class="article-body">' in html  # no lang="en" on the text
    assert f"<h1>{spanish.title}</h1>" in html
    assert "no está disponible en español" not in html
    assert "Revisado por" in html and spanish.reviewer.name in html
    assert spanish.reviewer.role_es in html
    assert (
        "Esta versión en español sigue la edición en inglés revisada el "
        f'<time datetime="{spanish.follows_english.isoformat()}">' in html
    )
    assert "Datos clave" in html and "Referencias" in html
    for ref in english.references.all():
        assert f'<li id="ref-{ref.order}">' in html and escape(ref.url) in html
    # Spanish crisis help in the strip and footer, from the registry.
    assert "marque el 2" in html and 'AYUDA al <a href="sms:741741">' in html
    assert BANNED_ES.findall(main_text(html)) == []
    assert "[[" not in html


def test_the_regulatory_box_is_in_spanish_from_the_same_registry(demo, client):
    html = client.get("/es/learn/what-is-ketamine/").content.decode()
    box = html.split('class="regulatory-status"')[1].split("</aside>")[0]
    assert "Situación regulatoria" in box
    assert "aprobó la ketamina" in box and "en 1970 para la anestesia" in box
    assert "en 2019 para la depresión resistente al tratamiento" in box
    assert "un programa de seguridad (un REMS), con al menos 2 horas" in box
    assert "sustancia controlada de la Lista III (desde 1999)" in box
    assert "approved" not in box


def test_spanish_key_facts_and_body_fill_facts_in_spanish(demo, client):
    html = client.get("/es/learn/side-effects-and-safety/").content.decode()
    body = html.split('id="key-facts-heading"')[1].split('id="references-heading"')[0]
    assert "al menos 2 horas de observación" in body
    assert "<strong>AYUDA</strong> al <strong>741741</strong>" in body
    assert "HOME" not in body


def test_an_article_without_a_spanish_edition_shows_english_with_a_note(demo, client):
    response = client.get("/es/learn/history/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert '<article class="article-body" lang="en">' in html
    assert "no está disponible en español" in html
    english = Article.objects.get(slug="history")
    assert f"<h1>{english.title}</h1>" in html


def test_hreflang_names_a_spanish_edition_only_where_one_exists(demo, client):
    base = settings.SITE_URL
    translated = client.get("/learn/what-is-ketamine/").content.decode()
    assert f'hreflang="es" href="{base}/es/learn/what-is-ketamine/"' in translated
    spanish = client.get("/es/learn/what-is-ketamine/").content.decode()
    assert f'rel="canonical" href="{base}/es/learn/what-is-ketamine/"' in spanish
    untranslated = client.get("/es/learn/history/").content.decode()
    assert 'hreflang="es"' not in untranslated
    assert f'rel="canonical" href="{base}/learn/history/"' in untranslated


def test_jsonld_describes_the_spanish_edition(demo, client):
    html = client.get("/es/learn/what-to-expect/").content.decode()
    data = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    ).group(1)
    assert '"inLanguage": "es"' in data
    assert '"name": "Qué esperar"' in data
    assert '"Lucía Ortega Villalobos"' in data


def test_the_sitemap_lists_spanish_editions_only(demo, client):
    sitemap = client.get("/sitemap.xml").content.decode()
    base = settings.SITE_URL
    for slug in REQUIRED_SPANISH:
        assert f"<loc>{base}/es/learn/{slug}/</loc>" in sitemap
    assert f"<loc>{base}/es/learn/history/</loc>" not in sitemap


def test_the_spanish_hub_lists_spanish_titles_and_marks_english_ones(demo, client):
    html = client.get("/es/learn/").content.decode()
    assert ">¿Qué es la ketamina?</a>" in html
    history = Article.objects.get(slug="history")
    assert re.search(
        rf'<li class="mb-3" lang="en"><a [^>]*>{re.escape(history.title)}</a> '
        r'<span class="small" lang="es">\(en inglés\)</span>',
        html,
    )
    assert "Lo básico" in html


def test_a_newer_english_edition_is_pointed_out(demo, client):
    english = Article.objects.get(slug="what-is-ketamine")
    english.last_reviewed += dt.timedelta(days=30)
    english.save()  # purges the page cache
    html = client.get("/es/learn/what-is-ketamine/").content.decode()
    assert "La edición en inglés se revisó otra vez el" in html
    assert '<a href="/learn/what-is-ketamine/" hreflang="en">' in html


def test_a_changed_translation_purges_the_cached_page(demo, client):
    url = "/es/learn/what-to-expect/"
    assert "Qué esperar" in client.get(url).content.decode()
    spanish = ArticleTranslation.objects.get(article__slug="what-to-expect")
    spanish.title = "Qué esperar, paso a paso"
    spanish.save()
    assert "<h1>Qué esperar, paso a paso</h1>" in client.get(url).content.decode()


def test_a_draft_translation_is_not_public(demo, client):
    ArticleTranslation.objects.filter(article__slug="what-to-expect").update(
        status=Article.Status.DRAFT
    )
    html = client.get("/es/learn/what-to-expect/").content.decode()
    assert "no está disponible en español" in html
    assert "Qué esperar</h1>" not in html


def test_spanish_article_page_runs_at_most_three_queries(
    demo, client, django_assert_max_num_queries
):
    client.get("/")  # warm the cached site settings
    caching._LocalPages.reset()
    with django_assert_max_num_queries(3):
        assert client.get("/es/learn/what-is-ketamine/").status_code == 200


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace("follows_english = 2026-12-01\n", ""), "follows_english"),
        (
            lambda t: t.replace(
                "follows_english = 2026-12-01", "follows_english = 2027-01-01"
            ),
            "after the English review date",
        ),
        (
            lambda t: t.replace('reviewer = "dr-ortega"', 'reviewer = "dr-nadie"'),
            "not in clinicians.toml",
        ),
        (lambda t: t.replace("[7]", "[99]"), "cites a reference the article lacks"),
        (
            lambda t: t.replace(
                "+++\n## ", '[[references]]\ncitation = "x"\n+++\n## ', 1
            ),
            "cites the English article's references",
        ),
    ],
)
def test_loading_refuses_a_translation_that_does_not_add_up(
    content_copy, change, message
):
    path = content_copy / "articles" / "es" / "what-is-ketamine.md"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError, match=message):
        load_articles(content_dir=content_copy)
    assert Article.objects.count() == 0


def test_loading_refuses_a_translation_of_no_article(content_copy):
    source = content_copy / "articles" / "es" / "what-is-ketamine.md"
    shutil.copy(source, source.with_name("no-such-article.md"))
    with pytest.raises(ContentError, match="no English article 'no-such-article'"):
        load_articles(content_dir=content_copy)


def test_reloading_keeps_an_editors_translation_unless_refreshed():
    load_articles()
    ArticleTranslation.objects.filter(language="es").update(title="Editado")
    load_articles()
    assert set(ArticleTranslation.objects.values_list("title", flat=True)) == {
        "Editado"
    }
    load_articles(refresh=True)
    assert ArticleTranslation.objects.filter(title="Editado").count() == 0
    assert ArticleTranslation.objects.count() == len(list(SPANISH_DIR.glob("*.md")))


def test_staff_edit_a_translation_on_its_article_and_preview_a_draft(
    demo, client, django_user_model, otp_login
):
    user = django_user_model.objects.create_superuser(
        username="dana.admin", email="dana@lanternfield.example", password="x"
    )
    otp_login(client, user)
    article = Article.objects.get(slug="what-to-expect")
    change = client.get(f"/{settings.ADMIN_URL}pages/article/{article.pk}/change/")
    assert change.status_code == 200
    assert "Qué esperar" in change.content.decode()
    assert "follows_english" in change.content.decode()
    ArticleTranslation.objects.filter(article=article).update(
        status=Article.Status.DRAFT
    )
    preview = client.get("/es/learn/what-to-expect/").content.decode()
    assert "<h1>Qué esperar</h1>" in preview
    assert "Vista previa del borrador" in preview


def test_on_a_live_article_only_clinical_reviewers_may_change_its_translation(
    demo, client, otp_login
):
    article = Article.objects.get(slug="what-to-expect")
    spanish = article.translations.get()
    editor = make_staff("editor", group="Content editor")
    reviewer = make_staff("reviewer", group="Clinical reviewers")
    assert editor.has_perm("pages.view_articletranslation")
    assert not editor.has_perm("pages.change_articletranslation")
    assert reviewer.has_perm("pages.change_articletranslation")

    inline = TranslationInline(Article, admin.site)
    request = RequestFactory().get("/")
    request.user = reviewer
    assert inline.has_change_permission(request, article)
    request.user = editor
    assert not inline.has_change_permission(request, article)
    assert not inline.has_add_permission(request, article)
    assert not inline.has_delete_permission(request, article)
    assert spanish.title == "Qué esperar"
