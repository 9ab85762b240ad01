"""Staff access to personal data, announced for the audit trail.

The access log itself (``consultations.AccessLog``) lives in a feature app,
and the apps below it (the locations app's waitlist) may not import it. They
announce the access here instead; the consultations app records it. Callers
name what was done and to what, never what was typed or shown.
"""

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    VIEW_VERSION = "version", _("Viewed a past version")
    SEARCH = "search", _("Searched")
    EXPORT = "export", _("Exported")


# sender: the model class; kwargs: user, action (an AccessAction), obj (the
# row viewed, or None for a search or an export), row_count (or None).
personal_data_accessed = Signal()


def personal_data_access_announce(
    *, model, user, action: str, obj=None, row_count: int | None = None
) -> None:
    receivers = personal_data_accessed.send(
        sender=model, user=user, action=action, obj=obj, row_count=row_count
    )
    if not receivers:
        # An access that nobody records is an audit gap: fail loudly rather
        # than show personal data unlogged.
        raise RuntimeError(f"no access log is listening for {model._meta.label}")
