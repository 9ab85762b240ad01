"""Signed links to one database row, for the links in patients' emails.

The URL carries a signature over the row's id and its creation time, nothing
about the person; the creation time binds the token to that one row (ids are
not reused, but this keeps a token from outliving a restored backup). Each
caller adds its own rules on top (single use, who may use it, expiry at an
event) and its own salt, so a token for one purpose never opens another.
"""

import datetime as dt

from django.core import signing


class RowLinkError(Exception):
    """Why a link cannot be used: ``reason`` is 'invalid' or 'expired' here;
    callers add their own ('used', ...)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _stamp(when) -> int:
    return int(when.timestamp()) if when else 0


def row_token(obj, *, salt: str, key: str) -> str:
    return signing.dumps(
        {key: obj.pk, "c": _stamp(obj.created_at)}, salt=salt, compress=False
    )


def row_from_token(token: str, *, salt: str, key: str, max_age: dt.timedelta, queryset):
    """The row of ``queryset`` the token was made for, or RowLinkError."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age.total_seconds())
        pk, created = int(payload[key]), int(payload["c"])
    except signing.SignatureExpired:
        raise RowLinkError("expired") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise RowLinkError("invalid") from None
    obj = queryset.filter(pk=pk).first()
    if obj is None or _stamp(obj.created_at) != created:
        raise RowLinkError("invalid")
    return obj
