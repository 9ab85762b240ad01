"""{% promise_kept location %}: the public line on a location's page, when it is honest.

Shown only once the location has at least 20 requests in the last 90 days
(consultations.reports.public_promise_share); below that it says nothing.
"""

from django import template
from django.utils.translation import gettext as _

from ..reports import public_promise_share

register = template.Library()


@register.simple_tag
def promise_kept(location):
    share = public_promise_share(location)
    if share is None:
        return ""
    return _(
        "We called back %(share)s%% of requests within the time we promised "
        "(last 90 days)."
    ) % {"share": share}
