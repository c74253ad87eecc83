"""Sizes, budgets and the way every server of a run is started."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
SETTINGS_MODULE = "bench.settings"
WSGI_APP = "bench.wsgi_minimal:application"
LOAD_EMAIL_DOMAIN = "load.bench.invalid"


@dataclass(frozen=True)
class Size:
    """How big the PostgreSQL network is."""

    name: str
    database: str
    networks: int
    sites_per_network: int
    desks: int
    rooms: int
    bookings: int
    members: int
    future_days: int

    @property
    def sites(self) -> int:
        return self.networks * self.sites_per_network

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sites": self.sites}


SIZES = {
    "full": Size(
        name="full",
        database="buron_bench",
        networks=100,
        sites_per_network=35,
        desks=27_000,
        rooms=3_000,
        bookings=10_000_000,
        members=50_000,
        future_days=100,
    ),
    # A quick run to check the harness: the same shapes, a tenth of the places.
    "small": Size(
        name="small",
        database="buron_bench_small",
        networks=10,
        sites_per_network=35,
        desks=2_700,
        rooms=300,
        bookings=200_000,
        members=5_000,
        future_days=100,
    ),
}


@dataclass(frozen=True)
class Budgets:
    """The budgets of DESIGN.md, "Budgets"."""

    availability_p95_demo_ms: float = 100.0
    availability_p95_national_ms: float = 300.0
    booking_to_minimal_ratio: float = 0.25
    # Every booking spends a carnet's credit (issue "What is sold…").
    carnet_booking_to_minimal_ratio: float = 0.25
    worker_rss_mb: float = 120.0
    cold_start_s: float = 1.5


BUDGETS = Budgets()


@dataclass(frozen=True)
class Load:
    """How each server is run and loaded; the same for every measure of a run."""

    workers: int = 4
    worker_class: str = "gthread"
    threads: int = 4
    # The application is imported once by the master and forked into the workers.
    preload: bool = True
    conn_max_age: int = 60
    clients: int = 50
    duration_s: float = 20.0
    warmup_s: float = 2.0
    max_requests_per_client: int = 20_000
    availability_calls: int = 200
    availability_max_s: float = 420.0
    selector_calls: int = 30
    selector_max_s: float = 60.0
    cold_start_trials: int = 3
    request_timeout_s: float = 30.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
