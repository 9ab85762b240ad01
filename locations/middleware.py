"""A staff member still on createstaff's one-time password changes it first."""

from django.shortcuts import redirect
from django.urls import reverse

from .models import InitialPassword

CHECKED_KEY = "initial_password_checked"
ALLOWED_ADMIN_VIEWS = (
    "admin:password_change",
    "admin:password_change_done",
    "admin:logout",
)


class InitialPasswordMiddleware:
    """Send a signed-in user whose password is still the printed one to the
    admin's "change password" page, from any admin page. Goes after the
    authentication and OTP middlewares."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The admin first: asking for request.user loads the session, which
        # would add "Vary: Cookie" to every public page.
        user = getattr(request, "user", None) if _in_admin(request) else None
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(CHECKED_KEY)
        ):
            initial = InitialPassword.objects.filter(user=user).first()
            if initial is not None and initial.password == user.password:
                if request.path not in {reverse(n) for n in ALLOWED_ADMIN_VIEWS}:
                    return redirect("admin:password_change")
            else:
                if initial is not None:
                    initial.delete()  # changed: nothing more to do
                # Asked once per session, not on every admin page.
                request.session[CHECKED_KEY] = True
        return self.get_response(request)


def _in_admin(request) -> bool:
    return request.path.startswith(reverse("admin:index"))
