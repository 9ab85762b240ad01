"""The time zones a location can be in, and their everyday names.

The one list: the model's choices and every label a patient sees come from it.
"""

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

ZONE_LABELS = {
    "America/New_York": _("Eastern time"),
    "America/Chicago": _("Central time"),
    "America/Denver": _("Mountain time"),
    "America/Phoenix": _("Arizona time"),
    "America/Los_Angeles": _("Pacific time"),
    "America/Anchorage": _("Alaska time"),
    "Pacific/Honolulu": _("Hawaii time"),
}
# The model's choices keep the zone's own name, which is what staff pick from.
TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in ZONE_LABELS]
GENERIC_ZONE_LABEL = _("in the clinic's local time")


def zone_label(time_zone: str) -> str:
    return str(ZONE_LABELS.get(time_zone, time_zone.replace("_", " ")))


# For an email's context: worded when the email is rendered, in the language
# it is rendered in, not in the language of the page that queued it (a staff
# email for a request made in Spanish stays English).
zone_label_lazy = lazy(zone_label, str)
