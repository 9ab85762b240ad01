"""How the triage admin shows times: in the location's own zone."""

from django.utils import timezone
from django.utils.formats import date_format


def local_time(value, zone, *, short=False):
    """A datetime in ``zone``, with the zone's abbreviation (PST, EDT…)."""
    if value is None:
        return "—"
    local = timezone.localtime(value, zone)
    if short:
        return f"{date_format(local, 'SHORT_DATETIME_FORMAT')} {local.tzname()}"
    return date_format(local, "N j, Y, P T")


def staff_name(user):
    """A staff member as colleagues know them: full name, else the username."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
