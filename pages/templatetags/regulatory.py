from django import template

from pages.regulatory import REGULATORY_FACTS, SOURCES

register = template.Library()


@register.simple_tag
def regulatory_facts():
    return REGULATORY_FACTS


@register.simple_tag
def regulatory_sources():
    return SOURCES
