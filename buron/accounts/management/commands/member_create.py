from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from buron.accounts.models import VisitorStatus
from buron.accounts.services import member_create
from buron.places.models import Commune


class Command(BaseCommand):
    help = "Create a member whose email is already verified."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--category", required=True, choices=VisitorStatus.values)
        parser.add_argument("--employer", default="", help="Required for salaried_remote.")
        parser.add_argument("--password", default=None, help="Without it, no password login.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--commune", default=None, help="INSEE code of the commune.")

    def handle(self, *args: Any, **options: Any) -> None:
        commune = None
        if options["commune"]:
            commune = Commune.objects.filter(insee_code=options["commune"]).first()
            if commune is None:
                raise CommandError(f"Unknown INSEE code: {options['commune']}")
        try:
            user = member_create(
                email=options["email"],
                password=options["password"],
                status=options["category"],
                employer_name=options["employer"],
                commune=commune,
                first_name=options["first_name"],
                last_name=options["last_name"],
                verified=True,
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(f"Member {user.email} created.")
