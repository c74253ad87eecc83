from __future__ import annotations

import secrets

import factory
from django.utils import timezone

from buron.accounts.models import MemberProfile, StaffRole, StatusPeriod, User
from buron.accounts.services import calendar_digest


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def profile(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
            MemberProfile.objects.create(
                user=self, calendar_digest=calendar_digest(secrets.token_urlsafe(32))
            )
            StatusPeriod.objects.create(
                user=self,
                status=kwargs.get("status", "freelancer"),
                employer_name=kwargs.get("employer_name", ""),
                valid_from=timezone.localdate().replace(year=2020),
            )


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    role = "site_host"
    site = None
    network = factory.LazyAttribute(lambda o: o.site.network if o.site else None)


def totp_enrol(user: User) -> str:
    """Give `user` an authenticator app (as the TOTP enrolment page would); its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
