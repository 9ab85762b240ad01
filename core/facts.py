"""The one registry of facts that must read the same on every page.

Approval years and indications, the Spravato safety program and the crisis
numbers are stated in many articles and templates. Each is written here once
and inserted by name: `[[fact:crisis-call]]` in an article (body, key facts or
meta description) and `{% fact "crisis-call" %}` in a template. A change made
here reaches every page; tests/core/test_facts.py fails when an article or a
template writes one of these facts out by hand instead. It lives in core, with
no import of any app, because the crisis numbers are on every page and in the
consultation emails, not only in the education content.

Sources: FDA labels for Ketalar (NDA 016812) and Spravato (NDA 211243), the
Spravato REMS, DEA final rule 64 FR 37673, 988lifeline.org and
crisistextline.org; see /work/shared/content/ketamine-facts.md sections 5, 12
and 14.
"""

import re

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

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
    "crisis-text-keyword": "HOME",
    "crisis-text-number": "741741",
    "emergency": "911",
}

# How each fact could be written by hand; the registry check looks for these
# in article text and templates, where only a placeholder may stand.
HAND_WRITTEN = {
    "ketamine-approval-year": r"\b1970\b",
    "spravato-trd-date": r"\b(?:5 March|March 5,?) 2019\b",
    "spravato-mdsi-date": r"\bAugust 2020\b",
    "spravato-alone-date": r"\bJanuary 2025\b",
    "spravato-rems": r"\bREMS\b",
    "spravato-monitoring": r"\bat least (?:2|two) hours\b",
    "schedule": r"\bSchedule III\b",
    "schedule-year": r"\b1999\b",
    "crisis-call": r"(?<![\w.-])988(?![\w-])",
    "crisis-text-number": r"\b741741\b",
    "emergency": r"\b911\b",
}
# A sentence that says something was approved takes its year from here.
APPROVAL_SENTENCE = re.compile(r"[^.!?\n]*\bapprov\w*[^.!?\n]*", re.I)
REGISTRY_YEAR = re.compile(
    r"\b(?:"
    + "|".join(value for name, value in FACTS.items() if name.endswith("-year"))
    + r")\b"
)

PLACEHOLDER = re.compile(r"\[\[fact:([a-z0-9-]+)\]\]")


def fact(name: str) -> str:
    return str(FACTS[name])


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
