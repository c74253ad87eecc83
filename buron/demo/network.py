"""The Cantal demo network: ten telecentres and two annexes, about fifty workstations.

Towns and INSEE codes are those named in public records of the CyberCantal Télé-centre
programme; coordinates come from the official communes table (buron/places/data/communes.csv).
Addresses, hosts, connectivity figures and hours are invented for the demo and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

WEEKDAYS = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class DemoSite:
    slug: str
    name: str
    insee_code: str
    desks: int
    down: int | None
    up: int | None
    fibre: bool
    step_free: bool
    open_days: tuple[int, ...] = WEEKDAYS
    afternoon_only_days: tuple[int, ...] = ()
    rooms: tuple[tuple[str, str, int], ...] = ()
    amenities: tuple[str, ...] = ("wifi", "printer", "coffee")
    parent: str | None = None
    description_fr: str = ""
    description_en: str = ""
    extra: dict[str, str] = field(default_factory=dict)


AMENITIES: dict[str, tuple[str, str]] = {
    "wifi": ("Wi-Fi", "Wi-Fi"),
    "printer": ("Imprimante et scanner", "Printer and scanner"),
    "coffee": ("Café et thé", "Coffee and tea"),
    "kitchen": ("Coin cuisine", "Kitchenette"),
    "parking": ("Parking gratuit", "Free parking"),
    "bike": ("Abri vélos", "Bike shelter"),
    "lockers": ("Casiers", "Lockers"),
    "phone_booth": ("Cabine téléphonique", "Phone booth"),
    "train": ("Gare à proximité", "Railway station nearby"),
    "shower": ("Douche", "Shower"),
}

SITES: tuple[DemoSite, ...] = (
    DemoSite(
        "aurillac",
        "Télécentre d'Aurillac",
        "15014",
        desks=8,
        down=1000,
        up=500,
        fibre=True,
        step_free=True,
        rooms=(("meeting_room", "Salle Puy Mary", 10), ("visio_room", "Salle visio Lioran", 4)),
        amenities=("wifi", "printer", "coffee", "kitchen", "lockers", "phone_booth", "train"),
        description_fr="Le plus grand télécentre du réseau, à deux pas de la gare d'Aurillac.",
        description_en="The network's largest telecentre, a short walk from Aurillac station.",
    ),
    DemoSite(
        "arpajon-sur-cere",
        "Annexe d'Arpajon-sur-Cère",
        "15012",
        desks=3,
        down=300,
        up=100,
        fibre=True,
        step_free=True,
        open_days=(1, 3),
        parent="aurillac",
        amenities=("wifi", "coffee", "parking"),
        description_fr="Annexe du télécentre d'Aurillac, ouverte le mardi et le jeudi.",
        description_en="Annex of the Aurillac telecentre, open on Tuesdays and Thursdays.",
    ),
    DemoSite(
        "saint-flour",
        "Télécentre de Saint-Flour",
        "15187",
        desks=6,
        down=500,
        up=200,
        fibre=True,
        step_free=True,
        rooms=(("meeting_room", "Salle de la Planèze", 8),),
        amenities=("wifi", "printer", "coffee", "kitchen", "parking", "train"),
        description_fr="Dans la ville haute, vue sur la Planèze.",
        description_en="In the upper town, overlooking the Planèze plateau.",
    ),
    DemoSite(
        "mauriac",
        "Télécentre de Mauriac",
        "15120",
        desks=5,
        down=100,
        up=50,
        fibre=True,
        step_free=False,
        rooms=(("visio_room", "Salle visio", 4),),
        amenities=("wifi", "printer", "coffee", "parking"),
        description_fr="Au cœur de la ville, près de la basilique.",
        description_en="In the town centre, near the basilica.",
    ),
    DemoSite(
        "murat",
        "Télécentre de Murat",
        "15138",
        desks=4,
        down=200,
        up=100,
        fibre=True,
        step_free=True,
        rooms=(("private_office", "Bureau fermé", 2),),
        amenities=("wifi", "printer", "coffee", "kitchen", "train", "bike"),
        description_fr="Au pied du rocher de Bonnevie ; une extension accueille trois postes "
        "de plus.",
        description_en="Below the Bonnevie rock; an extension holds three more desks.",
    ),
    DemoSite(
        "murat-extension",
        "Murat — extension",
        "15138",
        desks=3,
        down=200,
        up=100,
        fibre=True,
        step_free=False,
        parent="murat",
        amenities=("wifi", "coffee"),
        description_fr="L'extension du télécentre de Murat, dans le même bâtiment.",
        description_en="The Murat telecentre's extension, in the same building.",
    ),
    DemoSite(
        "ydes",
        "Télécentre d'Ydes",
        "15265",
        desks=4,
        down=30,
        up=5,
        fibre=False,
        step_free=True,
        amenities=("wifi", "printer", "coffee", "parking"),
        description_fr="Ancienne école réaménagée, grand parking.",
        description_en="A converted former school with a large car park.",
    ),
    DemoSite(
        "allanche",
        "Télécentre d'Allanche",
        "15001",
        desks=4,
        down=100,
        up=40,
        fibre=True,
        step_free=True,
        open_days=(0, 1, 3, 4),
        amenities=("wifi", "printer", "coffee", "parking"),
        description_fr="Sur le plateau du Cézallier, fermé le mercredi.",
        description_en="On the Cézallier plateau, closed on Wednesdays.",
    ),
    DemoSite(
        "montmurat",
        "Télécentre de Montmurat",
        "15133",
        desks=3,
        down=20,
        up=1,
        fibre=False,
        step_free=False,
        open_days=(1, 3),
        amenities=("wifi", "coffee", "parking"),
        description_fr="Petit télécentre de Châtaigneraie, ouvert le mardi et le jeudi.",
        description_en="A small Châtaigneraie telecentre, open on Tuesdays and Thursdays.",
    ),
    DemoSite(
        "chaudes-aigues",
        "Télécentre de Chaudes-Aigues",
        "15045",
        desks=4,
        down=100,
        up=50,
        fibre=True,
        step_free=True,
        amenities=("wifi", "printer", "coffee", "shower"),
        description_fr="Dans la cité thermale, à côté de l'office de tourisme.",
        description_en="In the spa town, next to the tourist office.",
    ),
    DemoSite(
        "cassaniouze",
        "Télécentre de Cassaniouze",
        "15029",
        desks=3,
        down=15,
        up=1,
        fibre=False,
        step_free=True,
        open_days=(0, 2, 4),
        afternoon_only_days=(2,),
        amenities=("wifi", "coffee", "parking"),
        description_fr="Au-dessus de la vallée du Lot ; le mercredi, l'après-midi seulement.",
        description_en="Above the Lot valley; on Wednesdays, afternoons only.",
    ),
    DemoSite(
        "pierrefort",
        "Télécentre de Pierrefort",
        "15152",
        desks=4,
        down=50,
        up=10,
        fibre=False,
        step_free=True,
        amenities=("wifi", "printer", "coffee", "parking"),
        description_fr="Entre Carladès et Planèze, dans l'ancienne perception.",
        description_en="Between Carladès and Planèze, in the former tax office.",
    ),
)

NETWORK = {
    "slug": "cantal",
    "name": "Réseau des télécentres du Cantal (démo)",
    "legal_name": "Données de démonstration — aucun organisme réel",
    "email": "contact@buron.example",
    "phone": "04 00 00 00 00",
    "address": "Démonstration — adresse fictive\n15000 Aurillac",
}

# Demo accounts, for the demo only: printed by `demo_load` and listed in the README.
DEMO_PASSWORD = "buron-demo-2026"  # noqa: S105 - demo only, printed in the README
ADMIN_EMAIL = "admin@buron.example"  # superuser
ADMIN_PASSWORD = DEMO_PASSWORD
NETWORK_ADMIN_EMAIL = "admin-reseau@buron.example"  # administrator of the Cantal network
HOST_EMAIL = "hote-murat@buron.example"  # host of the Murat telecentre
HOST_SITE = "murat"
MEMBER_EMAIL = "membre@buron.example"  # a salaried remote worker living in Murat
MEMBER_INSEE_CODE = "15138"
MEMBER_STATUS = "salaried_remote"
MEMBER_EMPLOYER = "Demo employer"

# The rooms' names on the English pages (desks are "Desk 1", "Desk 2"…).
ROOM_NAMES_EN = {
    "Salle Puy Mary": "Puy Mary room",
    "Salle visio Lioran": "Lioran video room",
    "Salle de la Planèze": "Planèze room",
    "Salle visio": "Video room",
    "Bureau fermé": "Private office",
}
# The catalogue of the demo network (net price excl. VAT at 20 % unless said): the published
# Murat prices (10 € a half-day, 20 € a day, 80 € a week, 100 € a month for one or two days
# a week, the newcomer "pack accueil") become offers; the carnet, the reduced price and the
# service packs are demo figures.
# (kind, name_fr, name_en, net price, extra fields)
OFFERS: tuple[tuple[str, str, str, Decimal, dict[str, object]], ...] = (
    ("half_day_pass", "Demi-journée", "Half-day", Decimal("8.33"), {}),
    ("day_pass", "Journée", "Day", Decimal("16.67"), {}),
    (
        "carnet",
        "Semaine (5 jours)",
        "Week (5 days)",
        Decimal("66.67"),
        {"credits": 10, "validity_days": 7},
    ),
    (
        "carnet",
        "Carnet de 10 demi-journées",
        "Carnet of 10 half-days",
        Decimal("75.00"),
        {"credits": 10, "validity_months": 6},
    ),
    (
        "subscription",
        "Abonnement mensuel, un ou deux jours par semaine",
        "Monthly subscription, one or two days a week",
        Decimal("83.33"),
        {"days_per_week": 2, "validity_months": 1},
    ),
    (
        "welcome_pack",
        "Pack accueil nouveaux arrivants (premiers mois offerts)",
        "Newcomer welcome pack (first months free)",
        Decimal("0"),
        {
            "validity_months": 3,
            "vat_rate": Decimal("0"),
            "vat_exemption_reason": "Offert",
            "vat_exemption_code": "VATEX-EU-O",
        },
    ),
    (
        "day_pass",
        "Journée tarif réduit (demandeurs d'emploi)",
        "Day, reduced price (job seekers)",
        Decimal("8.33"),
        {"category": "job_seeker"},
    ),
    (
        "service_pack",
        "Domiciliation avec gestion du courrier (mois)",
        "Business address with mail handling (month)",
        Decimal("25.00"),
        {"service": "domiciliation", "validity_months": 1},
    ),
    (
        "service_pack",
        "10 heures de salle de réunion",
        "10 meeting-room hours",
        Decimal("100.00"),
        {"service": "meeting_room_hours", "quantity": 10, "validity_months": 12},
    ),
    (
        "service_pack",
        "5 heures de salle de visioconférence",
        "5 videoconference-room hours",
        Decimal("83.33"),
        {"service": "visio_room_hours", "quantity": 5, "validity_months": 12},
    ),
    (
        "service_pack",
        "100 pages d'impression",
        "100 printed pages",
        Decimal("8.33"),
        {"service": "printing", "quantity": 100, "validity_months": 12},
    ),
    (
        "service_pack",
        "Casier (mois)",
        "Locker (month)",
        Decimal("10.00"),
        {"service": "locker", "validity_months": 1},
    ),
)
