"""Two-factor sign-in for the admin (django-otp), and its lockout (django-axes).

django-otp asks the user to pick which device a code is from, so that a code
is never tried against every device (each failure throttles that device).
Staff normally have one authenticator: when a user has exactly one confirmed
device, that device is used without asking.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class StaffOTPAdminSite(OTPAdminSite):
    login_form = StaffOTPAuthenticationForm


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
