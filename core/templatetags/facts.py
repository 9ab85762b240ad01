from django import template

from core.facts import fact as registry_fact
from core.facts import fill_facts

register = template.Library()


@register.simple_tag(name="fact")
def fact_tag(name):
    """A registry fact by name: {% fact "crisis-call" %} or {% fact "crisis-call" as call %}."""
    return registry_fact(name)


@register.filter(name="facts")
def facts_filter(text):
    """Plain article text (key facts, meta description) with its placeholders filled."""
    return fill_facts(str(text))
