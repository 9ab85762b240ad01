"""Bot and abuse protection shared by every public form (consultation, waitlist).

- A honeypot field people never see: a bot that fills it is sent to the same
  confirmation a person gets, and nothing is stored.
- A signed render-time token: a form sent back within MIN_FILL_SECONDS, or with
  a tampered token, is refused politely; one older than MAX_AGE asks the patient
  to check and send again, keeping what they typed. The token is unique per
  rendered form, so it doubles as the idempotency key for double submits.
- POSTs are limited per client IP, IPv6 per /64 (FORM_RATE_LIMIT); see
  ``limit_form_posts``. With the cache unreachable the limit fails open.
- Client IPs are worked out from the socket, trusting X-Forwarded-For only for
  the configured number of proxies, and stored only as a keyed hash.
"""

import hashlib
import hmac
import logging
import secrets
import time
from functools import wraps

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

MIN_FILL_SECONDS = 3
MAX_AGE_SECONDS = 2 * 60 * 60
_SALT = "clinic.form-token"

TOO_FAST = _(
    "That was quicker than we expected from a person. Please check your "
    "answers and send the form again."
)
TAMPERED = _(
    "We could not accept this form. Please reload the page and try again, or call us."
)
STALE = _(
    "This form was open for a long time. Please check your answers and send it again."
)


def make_form_token(now: float | None = None, *, nonce: str | None = None) -> str:
    payload = {
        "t": int(now if now is not None else time.time()),
        "n": nonce if nonce is not None else secrets.token_hex(8),
    }
    return signing.dumps(payload, salt=_SALT, compress=False)


SHARED_TOKEN_SECONDS = 10 * 60


def make_shared_form_token(now: float | None = None) -> str:
    """A token for a form on a shared-cached page (the article's report form).

    The same for every render within SHARED_TOKEN_SECONDS, so the page's bytes
    and ETag do not change with each render. Its age then says little about
    one visitor, so such a form leans on the honeypot and the rate limit; it
    cannot serve as an idempotency key.
    """
    now = time.time() if now is None else now
    issued = int(now - now % SHARED_TOKEN_SECONDS)
    # signing.dumps() stamps the signature with the current second; stamp it
    # with the start of the window instead, or the bytes change every second.
    signer = _WindowSigner(salt=_SALT, issued=issued)
    return signer.sign_object({"t": issued, "n": "shared"}, compress=False)


class _WindowSigner(signing.TimestampSigner):
    def __init__(self, *, issued: int, **kwargs):
        super().__init__(**kwargs)
        self._issued = issued

    def timestamp(self):
        return signing.b62_encode(self._issued)


def read_form_token(token: str, now: float | None = None):
    """Return (age_seconds, error message or None)."""
    try:
        payload = signing.loads(token, salt=_SALT)
        issued = int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, TAMPERED
    age = (now if now is not None else time.time()) - issued
    if age < MIN_FILL_SECONDS:
        return age, TOO_FAST
    if age > MAX_AGE_SECONDS:
        return age, STALE
    return age, None


class ProtectedFormMixin(forms.Form):
    """Adds the honeypot and the render-time token to a form.

    After ``is_valid()``, ``form.is_bot`` is True when the honeypot was filled:
    the view must then show the normal confirmation and store nothing.
    """

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_bot = False
        if not self.is_bound:
            self.initial["form_token"] = make_form_token()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.is_bot = True
            return cleaned
        token = self.data.get("form_token", "")
        _age, error = read_form_token(token) if token else (None, TAMPERED)
        if error is STALE:
            # Keep what they typed, with a fresh token for the next try.
            self.data = self.data.copy()
            self.data["form_token"] = make_form_token()
        if error:
            raise forms.ValidationError(error, code="form_token")
        return cleaned

    @property
    def submission_token(self) -> str:
        """A stable key for this rendered form: the same on a double submit."""
        token = self.data.get("form_token", "")
        return hashlib.sha256(token.encode()).hexdigest() if token else ""


def client_ip(request) -> str:
    """The client's address, trusting only the configured number of proxies."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.headers.get("x-forwarded-for", "").split(",")
        if part.strip()
    ]
    # Each trusted proxy appends the address it saw; anything further left was
    # written by the client and may be forged.
    if len(forwarded) >= count:
        return forwarded[-count]
    return remote


def ip_hash(request) -> str:
    """A keyed hash of the client IP: lets staff spot repeats, never reveals it."""
    return hmac.new(
        settings.SECRET_KEY.encode(), client_ip(request).encode(), hashlib.sha256
    ).hexdigest()


def form_rate(group, request) -> str:
    return settings.FORM_RATE_LIMIT


def limit_form_posts(view):
    """Answer a client's POSTs beyond FORM_RATE_LIMIT with the 429 page.

    Counted per view and per client address (django-ratelimit's ``ip`` key,
    which groups IPv6 clients by /64), in the default cache. When the cache
    cannot count, the post goes through and the miss is logged: a patient's
    request is never refused because Redis is down. Only a prefix of the
    address's keyed hash is logged.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and settings.RATELIMIT_ENABLE:
            usage = get_usage(
                request,
                fn=view,
                key="ip",
                rate=form_rate,
                method="POST",
                increment=True,
            )
            if usage is None:
                logger.warning(
                    "form rate limit unavailable (cache unreachable), let through: %s",
                    view.__name__,
                )
            elif usage["should_limit"]:
                logger.warning(
                    "form rate limit hit: %s (ip %s)",
                    view.__name__,
                    ip_hash(request)[:12],
                )
                return import_string(settings.RATELIMIT_VIEW)(request)
        return view(request, *args, **kwargs)

    return wrapper
