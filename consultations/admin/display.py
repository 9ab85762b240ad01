"""How the triage admin shows times and people: the location's zone, names."""

from django.utils import timezone
from django.utils.formats import date_format

# "Wed, Dec 2, 2026, 9:05 a.m. PST": to the minute, in the house style.
LONG_FORMAT = "D, M j, Y, g:i a"
# "Dec 2, 9:05 a.m. PST": for the list, where the row must fit.
SHORT_FORMAT = "M j, g:i a"


def local_time(value, zone, *, short=False):
    """A datetime in ``zone``, with the zone's abbreviation (PST, EDT…)."""
    if value is None:
        return "—"
    local = timezone.localtime(value, zone)
    return (
        f"{date_format(local, SHORT_FORMAT if short else LONG_FORMAT)} {local.tzname()}"
    )


def staff_name(user):
    """A staff member as colleagues know them: full name, else the username."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
