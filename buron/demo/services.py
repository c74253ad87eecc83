"""Load the Cantal demo network. Idempotent: loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from buron.accounts.models import Organisation, Role, StaffRole, User
from buron.accounts.services import member_create
from buron.observatory.services import rollups_refresh
from buron.offers.models import Offer, Right
from buron.offers.services import sale_record, service_use
from buron.places.communes import communes_load
from buron.places.models import (
    Amenity,
    Closure,
    ClosureReason,
    Commune,
    HalfDay,
    Network,
    OpeningPeriod,
    Resource,
    Site,
    SiteKind,
)
from buron.places.services import resource_create

from . import network as demo
from .attendance import demo_attendance_load
from .billing import EMPLOYER, demo_billing_load
from .employers import demo_employer_load
from .history import demo_history_load, history_range
from .trainings import ADVISER_EMAIL, TRAINER_EMAIL, demo_trainings_load

MORNING = (dt.time(8, 30), dt.time(12, 30))
AFTERNOON = (dt.time(13, 30), dt.time(18, 0))
# The demo's visits cover its last working fortnight: recompute three weeks of rollups.
DEMO_ROLLUP_DAYS = 21


@dataclass(frozen=True)
class DemoAccount:
    who: str
    email: str
    password: str


@dataclass
class DemoResult:
    network: Network
    sites: int
    resources: int
    admin_email: str
    admin_password: str
    accounts: tuple[DemoAccount, ...]


DEMO_ACCOUNTS = (
    DemoAccount("superuser", demo.ADMIN_EMAIL, demo.ADMIN_PASSWORD),
    DemoAccount("network admin", demo.NETWORK_ADMIN_EMAIL, demo.DEMO_PASSWORD),
    DemoAccount(f"site host ({demo.HOST_SITE})", demo.HOST_EMAIL, demo.DEMO_PASSWORD),
    DemoAccount("member", demo.MEMBER_EMAIL, demo.DEMO_PASSWORD),
    DemoAccount("France Travail adviser", ADVISER_EMAIL, demo.DEMO_PASSWORD),
    DemoAccount("trainer", TRAINER_EMAIL, demo.DEMO_PASSWORD),
)


def _site_fields(spec: demo.DemoSite, commune: Commune, network: Network) -> dict[str, object]:
    return {
        "network": network,
        "kind": SiteKind.ANNEX if spec.parent else SiteKind.TELECENTRE,
        "name": spec.name,
        "commune_name": commune.name,
        "insee_code": commune.insee_code,
        "postal_code": commune.postal_code,
        "address": "Place de la Mairie (adresse de démonstration)",
        "latitude": commune.latitude,
        "longitude": commune.longitude,
        "description_fr": spec.description_fr,
        "description_en": spec.description_en,
        "access_fr": f"Au centre de {commune.name}, stationnement à proximité.",
        "access_en": f"In the centre of {commune.name}, parking nearby.",
        "has_fibre": spec.fibre,
        "download_mbps": spec.down,
        "upload_mbps": spec.up,
        "step_free_access": spec.step_free,
        "accessibility_fr": (
            "Accès de plain-pied, toilettes adaptées."
            if spec.step_free
            else "Bureaux à l'étage, sans ascenseur : prévenez l'hôte, il vous accueillera "
            "au rez-de-chaussée."
        ),
        "accessibility_en": (
            "Step-free entrance, accessible toilets."
            if spec.step_free
            else "Upstairs, no lift: tell the host, who will welcome you on the ground floor."
        ),
        "host_name": f"Hôte de {commune.name} (démo)",
        "host_email": f"{spec.slug}@buron.example",
        "host_phone": "04 00 00 00 00",
    }


def _opening_periods(spec: demo.DemoSite) -> set[tuple[int, str, dt.time, dt.time]]:
    wanted = set()
    for weekday in spec.open_days:
        if weekday not in spec.afternoon_only_days:
            wanted.add((weekday, HalfDay.MORNING.value, *MORNING))
        wanted.add((weekday, HalfDay.AFTERNOON.value, *AFTERNOON))
    return wanted


def _closures(year: int) -> list[tuple[str, dt.date, dt.date, str, str, str]]:
    """Site closures of the demo: the Christmas week everywhere, works at one site."""
    closures = [
        (
            spec.slug,
            dt.date(year, 12, 24),
            dt.date(year + 1, 1, 1),
            ClosureReason.HOLIDAYS.value,
            "Fermeture de fin d'année",
            "Year-end closure",
        )
        for spec in demo.SITES
    ]
    closures.append(
        (
            "ydes",
            dt.date(year + 1, 2, 15),
            dt.date(year + 1, 2, 19),
            ClosureReason.WORKS.value,
            "Raccordement à la fibre",
            "Fibre connection works",
        )
    )
    return closures


@transaction.atomic
def demo_load(*, year: int) -> DemoResult:
    """Load (or bring up to date) the Cantal demo network: sites, hours, closures of that
    year, resources, prices and the demo accounts. Running it again changes nothing."""
    communes_load()
    network, _ = Network.objects.update_or_create(
        slug=demo.NETWORK["slug"], defaults={**demo.NETWORK, "is_demo": True}
    )
    for code, (name_fr, name_en) in demo.AMENITIES.items():
        Amenity.objects.update_or_create(
            code=code, defaults={"name_fr": name_fr, "name_en": name_en}
        )
    sites = _sites_load(network=network)
    _closures_load(sites=sites, year=year)

    _demo_accounts_load(network=network, host_site=sites[demo.HOST_SITE])
    demo_attendance_load(
        network=network, sites=sites, member=User.objects.get(email=demo.MEMBER_EMAIL)
    )
    demo_billing_load(
        network=network,
        member=User.objects.get(email=demo.MEMBER_EMAIL),
        manager=User.objects.get(email=demo.MEMBER_EMAIL),
        today=dt.date(year, 12, 31) if year < timezone.localdate().year else timezone.localdate(),
    )
    demo_trainings_load(network=network, admin=User.objects.get(email=demo.NETWORK_ADMIN_EMAIL))
    _demo_catalogue_load(network=network, host_site=sites[demo.HOST_SITE])
    _history_load(network=network, year=year)
    # After the history, whose bookings are written in bulk: the employees' bookings then
    # go through the booking service like any other.
    demo_employer_load(
        network=network,
        employer=Organisation.objects.get(network=network, siren=EMPLOYER["siren"]),
        today=dt.date(year, 12, 31) if year < timezone.localdate().year else timezone.localdate(),
    )
    return DemoResult(
        network=network,
        sites=Site.objects.filter(network=network).count(),
        resources=Resource.objects.filter(network=network).count(),
        admin_email=demo.ADMIN_EMAIL,
        admin_password=demo.ADMIN_PASSWORD,
        accounts=DEMO_ACCOUNTS,
    )


def _sites_load(*, network: Network) -> dict[str, Site]:
    """The demo sites with their amenities, opening hours and resources (brought up to
    date, never duplicated)."""
    amenities = {a.code: a for a in Amenity.objects.all()}
    communes = Commune.objects.in_bulk([spec.insee_code for spec in demo.SITES])

    sites: dict[str, Site] = {}
    for spec in demo.SITES:
        fields = _site_fields(spec, communes[spec.insee_code], network)
        fields["parent"] = sites[spec.parent] if spec.parent else None
        site = Site.objects.filter(slug=spec.slug).first() or Site(slug=spec.slug)
        for name, value in fields.items():
            setattr(site, name, value)
        site.full_clean()
        site.save()
        site.amenities.set([amenities[code] for code in spec.amenities])
        sites[spec.slug] = site

        wanted = _opening_periods(spec)
        existing = {
            (p.weekday, p.half_day, p.opens, p.closes): p for p in site.opening_periods.all()
        }
        for key, period in existing.items():
            if key not in wanted:
                period.delete()
        for weekday, half_day, opens, closes in sorted(wanted - existing.keys()):
            OpeningPeriod.objects.create(
                site=site, weekday=weekday, half_day=half_day, opens=opens, closes=closes
            )

        names = {r.name: r for r in site.resources.all()}
        wanted_resources = [
            ("desk", f"Poste {number}", f"Desk {number}", 1) for number in range(1, spec.desks + 1)
        ] + [
            (kind, name, demo.ROOM_NAMES_EN.get(name, ""), capacity)
            for kind, name, capacity in spec.rooms
        ]
        for kind, name, name_en, capacity in wanted_resources:
            found = names.get(name)
            if found is None:
                resource_create(site=site, kind=kind, name=name, name_en=name_en, capacity=capacity)
            elif found.name_en != name_en:
                found.name_en = name_en
                found.save(update_fields=["name_en"])
    return sites


def _closures_load(*, sites: dict[str, Site], year: int) -> None:
    """The demo closures of that year (saved only when they differ)."""
    for slug, start, end, reason, note_fr, note_en in _closures(year):
        values = {"end_date": end, "reason": reason, "note_fr": note_fr, "note_en": note_en}
        closure, created = Closure.objects.get_or_create(
            site=sites[slug], start_date=start, defaults=values
        )
        # Saved only when it differs: a save raises the site's rules version.
        if not created and any(getattr(closure, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(closure, name, value)
            closure.save()


def _history_load(*, network: Network, year: int) -> None:
    """Two years of visits (written in bulk), then the observatory's rollups brought up to
    date over them and the last weeks."""
    if demo_history_load(network=network, year=year):
        first, last = history_range(year)
        rollups_refresh(sites=_network_sites(network), start=first, end=last)
    today = timezone.localdate()
    rollups_refresh(
        sites=_network_sites(network),
        start=today - dt.timedelta(days=DEMO_ROLLUP_DAYS),
        end=today,
    )


def _network_sites(network: Network) -> list[Site]:
    return list(Site.objects.filter(network=network).select_related("network"))


def _email_verified(user: User) -> None:
    """Demo accounts sign in at once: their address counts as verified."""
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _staff_user(email: str, *, first_name: str, last_name: str, superuser: bool = False) -> User:
    """The demo staff account, created once; a later load leaves it as it is."""
    user = User.objects.filter(email=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(
            email, demo.DEMO_PASSWORD, is_staff=True, first_name=first_name, last_name=last_name
        )
    _email_verified(user)
    return user


def _demo_accounts_load(*, network: Network, host_site: Site) -> None:
    """A superuser, an administrator of the demo network, the host of one site and a member:
    demo accounts, with the password printed in the README."""
    _staff_user(demo.ADMIN_EMAIL, first_name="Admin", last_name="Démo", superuser=True)
    network_admin = _staff_user(
        demo.NETWORK_ADMIN_EMAIL, first_name="Admin", last_name="Réseau (démo)"
    )
    StaffRole.objects.get_or_create(
        user=network_admin, network=network, role=Role.NETWORK_ADMIN, site=None
    )
    host = _staff_user(demo.HOST_EMAIL, first_name="Hôte", last_name="Murat (démo)")
    StaffRole.objects.get_or_create(user=host, network=network, role=Role.SITE_HOST, site=host_site)
    if not User.objects.filter(email=demo.MEMBER_EMAIL).exists():
        member_create(
            email=demo.MEMBER_EMAIL,
            password=demo.DEMO_PASSWORD,
            status=demo.MEMBER_STATUS,
            employer_name=demo.MEMBER_EMPLOYER,
            commune=Commune.objects.get(insee_code=demo.MEMBER_INSEE_CODE),
            first_name="Membre",
            last_name="Démo",
            verified=True,
        )


def _demo_catalogue_load(*, network: Network, host_site: Site) -> None:
    """The demo network's catalogue (demo.OFFERS), and a carnet the host sold the demo
    member at the desk (once), so that their bookings show a right in use."""
    for position, (kind, name_fr, name_en, net, extra) in enumerate(demo.OFFERS):
        Offer.objects.update_or_create(
            network=network,
            kind=kind,
            name_fr=name_fr,
            defaults={"name_en": name_en, "net_price": net, "position": position, **extra},
        )
    member = User.objects.get(email=demo.MEMBER_EMAIL)
    if Right.objects.filter(member=member, network=network).exists():
        return
    host = User.objects.get(email=demo.HOST_EMAIL)
    offer = Offer.objects.get(network=network, name_fr="Carnet de 10 demi-journées")
    printing = Offer.objects.get(network=network, name_fr="100 pages d'impression")
    sale_record(
        site=host_site,
        member=member,
        offers=[(offer, 1), (printing, 1)],
        payment_method="desk",
        sold_by=host,
    )
    pages = Right.objects.get(member=member, offer=printing)
    service_use(right=pages, site=host_site, quantity=12, by=host, note="Impressions (démo)")
