"""The one registry of facts that must read the same on every page.

Approval years and indications, the Spravato safety program and the crisis
numbers are stated in many articles and templates. Each is written here once
and inserted by name: `[[fact:crisis-call]]` in an article (body, key facts or
meta description) and `{% fact "crisis-call" %}` in a template. A change made
here reaches every page; tests/core/test_facts.py fails when an article or a
template writes one of these facts out by hand instead. It lives in core, with
no import of any app, because the crisis numbers are on every page and in the
consultation emails, not only in the education content.

A fact that is not the same words in every language (how to reach a crisis
counselor who speaks Spanish, say) is a ``PerLanguage`` value: ``fact()`` gives
the current language's, so ``{% fact %}`` reads the same in a template, an
email or an article in either language. Words that only need translating stay
gettext strings, checked in the catalogue.

Sources: FDA labels for Ketalar (NDA 016812) and Spravato (NDA 211243), the
Spravato REMS, DEA final rule 64 FR 37673, 988lifeline.org and
crisistextline.org; see /work/shared/content/ketamine-facts.md sections 5, 12
and 14. The Spanish crisis options: 988lifeline.org/get-help/what-to-expect
(calls: press 2 for Spanish; texts: AYUDA) as in the fact sheet's section 14;
Crisis Text Line in Spanish, text AYUDA to 741741 (crisistextline.org blog,
"Hola! Crisis Text Line is Now Available in Spanish", 2021-10-15, repeated in
its release of 2023-10-16). The fact sheet does not list the Crisis Text Line
option; re-check both services' pages before each review of these lines.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PerLanguage:
    """A fact whose words differ by language, not by translation: a keyword a
    service listens for, or a menu option that exists in one language only.
    An empty value means "none in this language" (templates test for it)."""

    values: dict[str, str]

    def resolve(self) -> str:
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        if language in self.values:
            return self.values[language]
        return self.values.get(settings.LANGUAGE_CODE, "")


FACTS = {
    # Racemic ketamine (Ketalar and generics).
    "ketamine-approval-year": "1970",
    "ketamine-approved-use": _("anesthesia, given into a vein (IV) or a muscle (IM)"),
    # Esketamine nasal spray (Spravato): three approvals, each for adults.
    "spravato-trd-date": _("March 5, 2019"),
    "spravato-trd-year": "2019",
    "spravato-trd-use": _(
        "treatment-resistant depression in adults, taken with an oral antidepressant"
    ),
    "spravato-mdsi-date": _("August 2020"),
    "spravato-mdsi-year": "2020",
    "spravato-mdsi-use": _(
        "depressive symptoms in adults with major depression who have acute "
        "suicidal thoughts or behavior, also taken with an oral antidepressant"
    ),
    "spravato-alone-date": _("January 2025"),
    "spravato-alone-year": "2025",
    "spravato-alone-use": _(
        "treatment-resistant depression in adults on its own, without an oral "
        "antidepressant"
    ),
    "spravato-rems": _("a safety program (a REMS)"),
    "spravato-monitoring": _("at least 2 hours"),
    # US drug control.
    "schedule": _("Schedule III"),
    "schedule-published": _("July 13, 1999"),
    "schedule-effective": _("August 12, 1999"),
    "schedule-year": "1999",
    # Crisis help, checked against the services' own pages.
    "crisis-call": "988",
    # 988's phone menu: the key that reaches counselors in this language (none
    # needed in English), and the word that does the same by text.
    "crisis-call-option": PerLanguage({"en": "", "es": "2"}),
    "crisis-call-text-keyword": PerLanguage({"en": "", "es": "AYUDA"}),
    # Crisis Text Line: HOME for English, AYUDA for a Spanish-speaking counselor.
    "crisis-text-keyword": PerLanguage({"en": "HOME", "es": "AYUDA"}),
    "crisis-text-number": "741741",
    "emergency": "911",
}

# How each fact could be written by hand; the registry check looks for these
# in article text and templates, where only a placeholder may stand.
HAND_WRITTEN = {
    "ketamine-approval-year": r"\b1970\b",
    "spravato-trd-date": r"\b(?:5 March|March 5,?|5 de marzo de) 2019\b",
    "spravato-mdsi-date": r"\b(?:August|agosto de) 2020\b",
    "spravato-alone-date": r"\b(?:January|enero de) 2025\b",
    "spravato-rems": r"\bREMS\b",
    "spravato-monitoring": r"\b(?:at least|al menos|como mínimo) (?:2|two|dos) (?:hours|horas)\b",
    "schedule": r"\b(?:Schedule|Lista) III\b",
    "schedule-year": r"\b1999\b",
    "crisis-call": r"(?<![\w.-])988(?![\w-])",
    "crisis-call-option": r"\b(?:press|marque|oprima|presione)(?: el)? 2\b",
    "crisis-text-keyword": r"\b(?:HOME|AYUDA|HOLA)\b",
    "crisis-text-number": r"\b741741\b",
    "emergency": r"\b911\b",
}
# A sentence that says something was approved takes its year from here.
APPROVAL_SENTENCE = re.compile(r"[^.!?\n]*\b(?:approv|aprob)\w*[^.!?\n]*", re.I)
REGISTRY_YEAR = re.compile(
    r"\b(?:"
    + "|".join(value for name, value in FACTS.items() if name.endswith("-year"))
    + r")\b"
)

PLACEHOLDER = re.compile(r"\[\[fact:([a-z0-9-]+)\]\]")


def fact(name: str) -> str:
    value = FACTS[name]
    if isinstance(value, PerLanguage):
        return value.resolve()
    return str(value)


def unknown_facts(text: str) -> set[str]:
    return {name for name in PLACEHOLDER.findall(text) if name not in FACTS}


def _filled(match, wrap=str):
    # An unknown name stays visible rather than vanishing from a sentence
    # (Article.clean refuses one, so only a raw database edit gets here).
    name = match.group(1)
    return wrap(fact(name)) if name in FACTS else match.group(0)


def fill_facts(text: str) -> str:
    """Put each fact's words in place of its placeholder (plain text)."""
    return PLACEHOLDER.sub(_filled, text)


def fill_facts_html(html: str) -> str:
    """The same for sanitized HTML: each fact's words are escaped."""
    return PLACEHOLDER.sub(lambda m: _filled(m, escape), html)


def hand_written_facts(text: str) -> list[tuple[str, str]]:
    """(fact name, what was written) for each fact stated without its placeholder."""
    bare = PLACEHOLDER.sub(" ", text)
    found = [
        (name, match.group(0))
        for name, pattern in HAND_WRITTEN.items()
        for match in re.finditer(pattern, bare)
    ]
    for sentence in APPROVAL_SENTENCE.findall(bare):
        found.extend(
            ("approval year", year) for year in REGISTRY_YEAR.findall(sentence)
        )
    return found
