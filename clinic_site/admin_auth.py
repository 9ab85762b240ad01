"""Two-factor sign-in for the admin (django-otp), with one convenience.

django-otp asks the user to pick which device a code is from, so that a code
is never tried against every device (each failure throttles that device).
Staff normally have one authenticator: when a user has exactly one confirmed
device, that device is used without asking.
"""

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
