from django import template

from pages.regulatory import SOURCES
from pages.regulatory import regulatory_facts as box_sentences

register = template.Library()


@register.simple_tag
def regulatory_facts():
    return box_sentences()


@register.simple_tag
def regulatory_sources():
    return SOURCES
