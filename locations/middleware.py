"""A staff member still on createstaff's one-time password changes it first."""

from django.shortcuts import redirect
from django.urls import reverse

from .models import InitialPassword

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
        if user is not None and user.is_authenticated:
            initial = InitialPassword.objects.filter(user=user).first()
            if initial is not None:
                if initial.password != user.password:
                    initial.delete()  # changed: nothing more to do
                elif request.path not in {reverse(n) for n in ALLOWED_ADMIN_VIEWS}:
                    return redirect("admin:password_change")
        return self.get_response(request)


def _in_admin(request) -> bool:
    return request.path.startswith(reverse("admin:index"))
