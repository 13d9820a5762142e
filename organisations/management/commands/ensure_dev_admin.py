"""Create a local admin account for development, printing its password once."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


def admin_url(address: str) -> str:
    """The admin's address for runserver's ``[host:]port`` (its host defaults to 127.0.0.1)."""
    return f"http://{address if ':' in address else '127.0.0.1:' + address}/admin/"


class Command(BaseCommand):
    help = "Create the local 'admin' superuser with a random password (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="[host:]port the development server listens on (make run passes its HOST)",
        )

    def handle(self, *args, username, address, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin only runs with DEBUG=1 (local development).")
        users = get_user_model().objects
        if users.filter(username=username).exists():
            self.stdout.write(
                f"Local admin '{username}' exists. Forgot the password? "
                f"python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "\n  Local admin created (shown only this once):\n"
                f"    {admin_url(address)}  user: {username}  password: {password}\n"
            )
        )
