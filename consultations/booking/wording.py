"""Call times in words, in the clinic's zone: "Thursday, December 3", "9:00 a.m."

Formatted in Python with the zone given: a template's date filter would move
an aware time into the server's zone.
"""

from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from .slots import needs_zone_abbreviation


def time_label(instant, zone) -> str:
    """'9:00 a.m.', with PST/PDT only on a day the clocks change."""
    local = instant.astimezone(zone)
    label = date_format(local, "g:i a")
    if needs_zone_abbreviation(local.date(), zone):
        label = f"{label} {local.tzname()}"
    return label


def day_label(day) -> str:
    return date_format(day, _("l, F j"))


def lazy_call_time_words(starts_at, zone) -> dict:
    """The same, worded when rendered: an email's own language, not the page's."""
    local = starts_at.astimezone(zone)
    return {
        "day": lazy(day_label, str)(local.date()),
        "time": lazy(time_label, str)(local, zone),
    }


def call_time_words(starts_at, zone) -> dict:
    """{"day": "Thursday, December 3", "time": "9:00 a.m."} in ``zone``."""
    local = starts_at.astimezone(zone)
    return {"day": day_label(local.date()), "time": time_label(local, zone)}
