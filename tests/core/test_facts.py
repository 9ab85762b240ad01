import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from core.facts import (
    FACTS,
    HAND_WRITTEN,
    PerLanguage,
    fact,
    fill_facts,
    hand_written_facts,
)
from pages.content_loader import CONTENT_DIR, parse_article_file
from pages.models import Article

ARTICLE_FILES = sorted((CONTENT_DIR / "articles").glob("*.md"))
CRISIS = ["crisis-call", "crisis-text-number", "emergency"]


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.stem)
def test_no_article_states_a_registry_fact_in_its_own_words(path):
    meta, body = parse_article_file(path)
    for field, text in [
        ("title", meta["title"]),
        ("meta_description", meta["meta_description"]),
        ("summary", meta["summary"]),
        ("body", body),
    ]:
        assert hand_written_facts(text) == [], (
            f"{path.name} {field}: write these as [[fact:name]] placeholders"
        )


@pytest.mark.parametrize(
    "text, caught",
    [
        ("If you are in crisis, call or text **988**.", "crisis-call"),
        ("Text HOME to 741741.", "crisis-text-number"),
        ("In an emergency, call 911.", "emergency"),
        ("Spravato is given under a REMS.", "spravato-rems"),
        ("You stay for at least two hours.", "spravato-monitoring"),
        ("It was approved on its own in 2025 for depression.", "approval year"),
        ("The FDA approved ketamine in 1970.", "ketamine-approval-year"),
        ("Llame al 988 y marque el 2.", "crisis-call-option"),
        ("Envíe AYUDA al 741741.", "crisis-text-keyword"),
        ("La FDA lo aprobó en 2019 para la depresión.", "approval year"),
        ("Es una sustancia de la Lista III.", "schedule"),
    ],
)
def test_registry_check_catches_a_fact_written_by_hand(text, caught):
    assert caught in {name for name, _ in hand_written_facts(text)}


def test_registry_check_passes_placeholders_and_other_numbers():
    text = (
        "Call or text **[[fact:crisis-call]]** or chat at "
        "[988lifeline.org](https://988lifeline.org/). A 2023 trial of 403 people "
        "found ketamine was no worse than ECT. It was created in 1962."
    )
    assert hand_written_facts(text) == []


def test_templates_take_crisis_numbers_from_the_registry():
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        text = path.read_text(encoding="utf-8")
        for name in CRISIS:
            for match in re.finditer(HAND_WRITTEN[name], text):
                offenders.append(f"{path.name}: {match.group(0)}")
    assert offenders == []


def test_every_placeholder_names_a_fact_and_is_filled_on_the_page(demo, client):
    for article in Article.objects.all():
        article.full_clean()  # refuses an unknown [[fact:...]] name
        html = client.get(article.get_absolute_url()).content.decode()
        assert "[[fact:" not in html, article.slug


def test_unknown_fact_name_is_refused_when_an_editor_saves(demo):
    article = Article.objects.get(slug="faq")
    article.body += "\nCall [[fact:crisis-cal]] now.\n"
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "crisis-cal" in str(error.value.message_dict["body"])


def test_a_fact_changed_once_changes_every_page(demo, client, monkeypatch):
    monkeypatch.setitem(FACTS, "spravato-alone-date", "February 2025")
    monkeypatch.setitem(FACTS, "spravato-alone-year", "2026")
    monkeypatch.setitem(FACTS, "crisis-call", "989")

    history = client.get("/learn/history/").content.decode()
    assert "In February 2025, it was approved for" in history
    # The regulatory box on another page reads the same registry.
    faq = client.get("/learn/faq/").content.decode()
    assert "and in 2026 for treatment-resistant depression in adults on its own" in faq
    # The crisis strip, the footer and an article body all follow.
    assert 'href="tel:989"' in faq and "tel:988" not in faq
    research = client.get("/learn/research/").content.decode()
    body = research.split('id="key-facts-heading"')[1].split('id="references-heading"')[
        0
    ]
    assert "<strong>989</strong>" in body


def test_fill_facts_leaves_an_unknown_name_visible():
    assert fill_facts("call [[fact:nope]]") == "call [[fact:nope]]"
    assert fill_facts("call [[fact:crisis-call]]") == "call " + FACTS["crisis-call"]


# The Spanish crisis options, as 988 and the Crisis Text Line publish them
# (core/facts.py names the sources).
SPANISH_CRISIS = {
    "tel:988": 'href="tel:988"',
    "press 2": "marque el 2",
    "AYUDA to 988": 'AYUDA al <a href="sms:988">',
    "AYUDA to 741741": 'AYUDA al <a href="sms:741741">',
    "911": 'href="tel:911"',
}


def crisis_strip(html):
    return html.split('class="crisis-strip"')[1].split("</aside>")[0]


def test_a_per_language_fact_gives_each_language_its_own_words():
    with translation.override("es"):
        assert fact("crisis-text-keyword") == "AYUDA"
        assert fact("crisis-call-option") == "2"
        assert fill_facts("[[fact:crisis-call-text-keyword]]") == "AYUDA"
    with translation.override("en"):
        assert fact("crisis-text-keyword") == "HOME"
        # No menu choice is needed to reach an English-speaking counselor.
        assert fact("crisis-call-option") == ""
    # A language the registry has no words for gets the default language's.
    with translation.override("fr"):
        assert fact("crisis-text-keyword") == "HOME"


def test_the_spanish_crisis_strip_gives_every_spanish_option(demo, client):
    strip = crisis_strip(client.get("/es/").content.decode())
    for what, expected in SPANISH_CRISIS.items():
        assert expected in strip, what
    assert "¿En crisis?" in strip
    assert "HOME" not in strip


def test_the_english_crisis_strip_stays_short_and_english(demo, client):
    strip = crisis_strip(client.get("/").content.decode())
    assert "In crisis? Call or text" in strip and 'href="tel:911"' in strip
    assert "AYUDA" not in strip and "press" not in strip


def test_the_spanish_footer_and_thank_you_crisis_lines_follow_the_registry(
    demo, client, monkeypatch
):
    monkeypatch.setitem(
        FACTS, "crisis-text-keyword", PerLanguage({"en": "HOME", "es": "HOLA"})
    )
    html = client.get("/es/learn/").content.decode()
    footer = html.split('class="footer-crisis"')[1].split("</p>")[0]
    assert "marque el 2" in footer and 'HOLA al <a href="sms:741741">' in footer
    strip = crisis_strip(html)
    assert 'HOLA al <a href="sms:741741">' in strip
    assert 'AYUDA al <a href="sms:741741">' not in strip


def test_templates_take_spanish_crisis_options_from_the_registry():
    # The keyword and the menu option change more often than the numbers.
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        text = path.read_text(encoding="utf-8")
        for name in ("crisis-call-option", "crisis-text-keyword"):
            offenders += [
                f"{path.name}: {m.group(0)}"
                for m in re.finditer(HAND_WRITTEN[name], text)
            ]
    assert offenders == []
