from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buron.accounts.models import User
from buron.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it alone on standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="", help="A name to recognise the token by.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user has the email {options['email']}.")
        self.stdout.write(api_token_create(user=user, name=options["name"]))
