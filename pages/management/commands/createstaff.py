import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create a local admin (superuser) account with a random one-time "
        "password, printed once. No account with a known password ever ships."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.org")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(
                f"User '{username}' already exists. Pick another with --username, "
                "or reset its password with: manage.py changepassword " + username
            )
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(
            f"Created superuser '{username}'.\n"
            f"One-time password: {password}\n"
            "It is shown only now; change it after signing in (Admin → Change password)."
        )
