"""Article pages: sections with ids, a contents list, footnotes that stay with
their word, a back-to-top link, and pictures beside "written by / reviewed by"."""

import re

import pytest

from pages.models import Article
from pages.rendering import link_footnotes, number_sections
from pages.templatetags.articles import initials

pytestmark = pytest.mark.django_db


def test_sections_get_unique_prefixed_ids_and_plain_titles():
    html, sections = number_sections(
        "<h2>Side effects</h2><p>x</p><h2>Side <em>effects</em></h2><h2>&amp; more</h2>"
    )
    assert sections == [
        ("section-side-effects", "Side effects"),
        ("section-side-effects-2", "Side effects"),
        ("section-more", "& more"),
    ]
    assert '<h2 id="section-side-effects-2">Side <em>effects</em></h2>' in html


def test_a_footnote_marker_is_glued_to_the_word_before_it():
    html = link_footnotes("<p>rare [1]. Seen twice.[2][3] Not [9].</p>", 3)
    assert "rare\u00a0<sup>" in html
    assert "twice.\u2060<sup>" in html and "</sup>\u2060<sup>" in html
    assert "Not [9]" in html  # no such reference: left as typed


@pytest.mark.parametrize(
    ("name", "letters"),
    [("Dr. Elena Rivera", "ER"), ("Amara Okafor", "AO"), ("Cher", "C")],
)
def test_initials(name, letters):
    assert initials(name) == letters


def test_a_long_article_has_a_contents_list_of_its_sections(client, demo):
    article = Article.objects.published().get(slug="side-effects-and-safety")
    html = client.get(article.get_absolute_url()).content.decode()
    nav = re.search(r'<nav class="article-contents".*?</nav>', html, re.S).group(0)
    links = re.findall(r'href="#([^"]+)"', nav)
    assert links[0] == "key-facts-heading" and links[-1] == "references-heading"
    for anchor in links:
        assert f'id="{anchor}"' in html
    assert len(links) - 2 == article.body.count("\n## ") + article.body.startswith(
        "## "
    )
    assert '<a href="#main-content">Back to top</a>' in html


def test_an_article_with_fewer_than_four_sections_has_no_contents_list(client, demo):
    short = [
        a
        for a in Article.objects.published()
        if a.body.count("\n## ") + a.body.startswith("## ") < 4
    ]
    assert short, "the demo has a short article (history)"
    html = client.get(short[0].get_absolute_url()).content.decode()
    assert "article-contents" not in html
    assert "Back to top" in html


def test_written_and_reviewed_by_show_the_clinicians_initials(client, demo):
    article = Article.objects.published().select_related("author", "reviewer").first()
    html = client.get(article.get_absolute_url()).content.decode()
    line = re.search(r'<div class="review-line.*?\n</div>', html, re.S).group(0)
    for person in (article.author, article.reviewer):
        assert f">{initials(person.name)}</text>" in line
        assert person.name in line
    assert line.count('aria-hidden="true"') == 2  # the names are in the text


def test_the_hub_lists_groups_in_reading_order(client, demo):
    html = client.get("/learn/").content.decode()
    headings = re.findall(
        r'class="h4 mt-4 group-heading">.*?</svg>\s*([^<]+)</h2>', html, re.S
    )
    assert [h.strip() for h in headings] == [
        "The basics",
        "Treatment",
        "Evidence",
        "Practical questions",
    ]
