"""schema.org JSON-LD for the education pages (rendered with the |jsonld filter)."""

import re

from django.conf import settings
from django.utils.html import strip_tags

from core.facts import fill_facts
from core.i18n import language_codes

from .rendering import markdown_to_safe_html


def organization(site, locations):
    # Absolute URLs come from SITE_URL, never from the request's Host: the
    # page is cached and shared whatever Host it was first rendered for.
    base = settings.SITE_URL
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalOrganization",
        "name": site.brand_name,
        "url": base + "/",
        "knowsLanguage": language_codes(),
        "department": [
            {
                "@type": "MedicalClinic",
                "name": loc.name,
                "url": base + loc.get_absolute_url(),
            }
            for loc in locations
        ],
    }
    if site.main_phone:
        data["telephone"] = site.main_phone_tel
    return data


def person(clinician):
    return {
        "@type": "Person",
        "name": clinician.name,
        "honorificSuffix": clinician.credentials,
        "jobTitle": clinician.role,
    }


def medical_web_page(article, *, language):
    url = settings.SITE_URL + article.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "description": fill_facts(article.meta_description),
        "url": url,
        "inLanguage": language,
        "lastReviewed": article.last_reviewed.isoformat(),
        "reviewedBy": person(article.reviewer),
        "about": {"@type": "Drug", "name": "Ketamine"},
        "citation": [ref.url for ref in getattr(article, "reference_list", [])],
    }
    if article.author:
        data["author"] = person(article.author)
    return data


_QUESTION = re.compile(r"<h2>(.*?\?)</h2>(.*?)(?=<h2>|\Z)", re.S)


def faq_page(article, *, language):
    """FAQPage from an article whose every h2 is a question."""
    html = fill_facts(markdown_to_safe_html(article.body))
    entities = []
    for question, answer in _QUESTION.findall(html):
        text = strip_tags(answer.replace("[[regulatory-status]]", "")).strip()
        text = re.sub(r"\s*\[\d+\]", "", re.sub(r"\s+", " ", text))
        entities.append(
            {
                "@type": "Question",
                "name": strip_tags(question),
                "acceptedAnswer": {"@type": "Answer", "text": text},
            }
        )
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "inLanguage": language,
        "mainEntity": entities,
    }
