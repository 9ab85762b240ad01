import io
import secrets

import qrcode
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from locations.models import InitialPassword, Location, StaffLocation


class Command(BaseCommand):
    help = (
        "Create an admin account (--username is required) with a random "
        "one-time password, printed once and changed at the first sign-in. "
        "Without --group it is a superuser; with --group it is a staff member "
        "with only that group's permissions, seeing only its --location(s). "
        "--totp also enrols a TOTP device and prints its otpauth:// URI. "
        "No account with a known password ever ships."
    )

    def add_arguments(self, parser):
        # No default: a well-known name ("admin") is half of a guessed login.
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--group",
            action="append",
            default=[],
            help='A staff group, e.g. "Front desk" (repeatable).',
        )
        parser.add_argument(
            "--location",
            action="append",
            default=[],
            metavar="SLUG",
            help="A location the account works for (repeatable).",
        )
        parser.add_argument(
            "--totp",
            action="store_true",
            help="Enroll a TOTP device; print its otpauth:// URI and a QR code.",
        )

    @transaction.atomic
    def handle(self, *args, username, email, group, location, totp, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            # Not an error: running `make createstaff` again is a normal thing
            # to do, and should say what to do next, not end in make's errors.
            self.stderr.write(
                f"User '{username}' already exists; nothing changed. For another "
                "account: make createstaff ARGS='--username NAME'. To reset this "
                f"one's password: .venv/bin/python manage.py changepassword {username}"
            )
            return
        groups = self._lookup(Group, "name", group)
        locations = self._lookup(Location, "slug", location)
        password = secrets.token_urlsafe(18)
        if groups:
            user = User.objects.create_user(
                username=username, email=email, password=password, is_staff=True
            )
            user.groups.set(groups)
            kind = "staff member"
        else:
            user = User.objects.create_superuser(
                username=username, email=email, password=password
            )
            kind = "superuser"
        # The printed password works once: the first admin page asks for a new one.
        InitialPassword.objects.create(user=user, password=user.password)
        StaffLocation.objects.bulk_create(
            StaffLocation(user=user, location=loc) for loc in locations
        )
        self.stdout.write(
            f"Created {kind} '{username}'.\n"
            f"One-time password: {password}\n"
            "It is shown only now; the first sign-in asks for a new password."
        )
        if totp:
            device = TOTPDevice.objects.create(
                user=user, name="default", confirmed=True
            )
            self.stdout.write(
                "Add this to an authenticator app (shown only now):\n"
                f"TOTP URI: {device.config_url}"
            )
            code = qrcode.QRCode(border=1)
            code.add_data(device.config_url)
            drawing = io.StringIO()
            code.print_ascii(out=drawing)
            self.stdout.write(drawing.getvalue())

    def _lookup(self, model, field, values):
        found = list(model.objects.filter(**{f"{field}__in": values}))
        missing = set(values) - {getattr(obj, field) for obj in found}
        if missing:
            raise CommandError(
                f"No {model._meta.verbose_name} with {field} "
                + ", ".join(sorted(missing))
            )
        return found
