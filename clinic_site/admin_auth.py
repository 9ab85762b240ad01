"""The admin site: the clinic's name on it, two-factor sign-in (django-otp),
and its lockout (django-axes).

django-otp asks the user to pick which device a code is from, so that a code
is never tried against every device (each failure throttles that device).
Staff normally have one authenticator: when a user has exactly one confirmed
device, that device is used without asking. The sign-in page asks for the
password and the "code from your authenticator app" in plain words, and
someone whose account has no authenticator yet is told how to get one
(only after their password was right, so it tells a stranger nothing).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from core.models import SiteSettings

NO_DEVICE = _(
    "Your account has no authenticator app set up yet, so it cannot sign in. "
    "Ask your clinic manager or the site administrator to add one for you "
    "(they create a code device for your account and show you a QR code to "
    "scan with an authenticator app on your phone), then sign in with the "
    "6-digit code the app shows."
)


class BrandedAdminSiteMixin:
    """The clinic's brand name in the header and title, never "Django administration"."""

    index_title = _("Staff area")
    # The request list needs the width (1280 px holds every column beside
    # the filters); "Home" and the index reach every model.
    enable_nav_sidebar = False

    def each_context(self, request):
        context = super().each_context(request)
        brand = SiteSettings.load().brand_name
        context["site_header"] = _("%(brand)s: staff") % {"brand": brand}
        context["site_title"] = brand
        return context


class BrandedAdminSite(BrandedAdminSiteMixin, AdminSite):
    pass


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app."),
        "invalid_token": _(
            "That code was not right. Enter the 6-digit code your authenticator "
            "app shows now (a new one appears every 30 seconds)."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
        self.fields["otp_token"].label = _("Code from your authenticator app")
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric"}
        )
        self.fields["otp_device"].label = _("Authenticator")

    def clean_otp(self, user):
        if user is not None and not list(devices_for_user(user, confirmed=True)):
            raise forms.ValidationError(NO_DEVICE, code="no_device")
        return super().clean_otp(user)

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                device = devices[0]
        return device

    @property
    def asks_for_device(self):
        """Only someone with several authenticators has to say which one."""
        user = self.get_user()
        return user is not None and len(list(devices_for_user(user))) > 1


class StaffOTPAdminSite(BrandedAdminSiteMixin, OTPAdminSite):
    login_form = StaffOTPAuthenticationForm
    login_template = "admin/staff_login.html"


class StaffLockoutHandler(AxesDatabaseHandler):
    """Lock a username at one address, and a username tried from many.

    axes counts failures per username and address together
    (AXES_LOCKOUT_PARAMETERS), with the client address from
    core.protection.client_ip, so guesses at made-up usernames lock nobody
    real, and one mistyping colleague does not lock the others behind the
    same office address. On top, a username is locked wherever it is tried
    once AXES_USERNAME_FAILURE_LIMIT failures add up across addresses within
    the cool-off, which stops a guesser rotating addresses.
    """

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.username_locked(
            request, credentials
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # axes flags (for its 429 page) only what its own parameters locked.
        if request is not None and self.username_locked(request, credentials):
            request.axes_locked_out = True

    def username_locked(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        if not username:
            return False
        failures = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=timezone.now() - get_cool_off(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.AXES_USERNAME_FAILURE_LIMIT
