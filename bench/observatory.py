"""The observatory's part of `make bench`: 10 million check-ins on PostgreSQL.

Measures, on its own database (`buron_bench_obs`, seeded by bench.seed_checkins and reused):

- the observatory's dashboard page for a network administrator (35 sites, the last twelve
  months of history), over HTTP: p95 (p50), the page reading the rollups;
- the same headline figures read from the rollups (`selectors.summary_for`) and counted
  from the raw rows (`selectors.summary_raw`, a scan of visits and booking slots), in this
  process: their times and the ratio raw / rollups; the two must be equal;
- a sample of site-days: the seeded rollups against `raw.day_figures`;
- `POST /api/v1/checkins` under 50 concurrent clients (each member checks in at a
  different published site at each request), as a ratio to the minimal view served the
  same way in the same run (before and after), and every 201 found in the database.

`python -m bench.observatory` runs it alone and writes bench/results/observatory.json and
observatory.md; `make bench` runs it after the booking phases (see bench.run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import LOAD_EMAIL_DOMAIN, POSTGRES_SERVER, PROJECT_DIR, RESULTS_DIR, Load

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from buron.places.models import Site

    from .client import LoadResult, Plan
    from .loadplan import Member

PAGE_BUDGET_MS = 300.0
PHASE_TIMEOUT_S = 60 * 60
ADMIN_EMAIL = f"obs-admin@{LOAD_EMAIL_DOMAIN}"
CHECKINS_PATH = "/api/v1/checkins"
# The databases of bench.seed_checkins.OBS_SIZES (named here: this side runs without Django).
DATABASES = {"full": "buron_bench_obs", "small": "buron_bench_obs_small"}


def log(message: str) -> None:
    print(f"  [observatory] {message}", file=sys.stderr, flush=True)


def _ms(values: list[float]) -> dict[str, float]:
    from .client import percentile

    return {
        "calls": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "max_ms": round(max(values), 1) if values else 0.0,
    }


def _timed(call: Any, calls: int, max_s: float) -> tuple[dict[str, float], Any]:
    found = call()
    latencies: list[float] = []
    deadline = time.perf_counter() + max_s
    for _n in range(calls):
        if time.perf_counter() > deadline:
            break
        begin = time.perf_counter()
        found = call()
        latencies.append((time.perf_counter() - begin) * 1000)
    return _ms(latencies), found


# --- In the phase's process (Django set up, the bench database) -------------------------


def _seed(size_name: str, reseed: bool, today: dt.date) -> dict[str, Any]:
    from . import seed_checkins

    size = seed_checkins.OBS_SIZES[size_name]
    found = seed_checkins.marker()
    if reseed or not seed_checkins.is_current(found, size, today):
        log(f"seeding {size.checkins:,} check-ins: the long part of a first run")
        done = seed_checkins.seed(size, today)
        return {**done, "seeded_now": True, "counts": seed_checkins.counts()}
    assert found is not None
    log(f"seed of {found['seeded_at']:%Y-%m-%d %H:%M} reused")
    return {
        "seeded_now": False,
        "seeded_at": found["seeded_at"].isoformat(),
        "seconds_then": round(found["seconds"], 1),
        "checkins": found["checkins"],
        "first_day": found["first_day"].isoformat(),
        "last_day": found["last_day"].isoformat(),
        "counts": seed_checkins.counts(),
    }


def _admin(network_id: int) -> Any:
    from buron.accounts.models import Role, StaffRole, User

    user, _created = User.objects.get_or_create(
        email=ADMIN_EMAIL, defaults={"first_name": "Admin", "last_name": "Observatoire"}
    )
    StaffRole.objects.get_or_create(user=user, network_id=network_id, role=Role.NETWORK_ADMIN)
    return user


def _rollups_sample(sites: QuerySet[Site], start: dt.date, end: dt.date) -> dict[str, Any]:
    """Seeded rollups against the raw count of the same site-days."""
    from buron.observatory.models import SiteDay, SiteDayMember
    from buron.observatory.raw import day_figures
    from buron.observatory.services import _values

    rng = random.Random(11)
    listed = list(sites.select_related("network"))
    days = (end - start).days
    checked, different = 0, []
    for _n in range(40):
        site = rng.choice(listed)
        day = start + dt.timedelta(days=rng.randrange(days + 1))
        raw = day_figures(site=site, day=day)
        row = SiteDay.objects.filter(site=site, day=day).values(*_values(raw)).first() or {}
        members = set(
            SiteDayMember.objects.filter(site=site, day=day).values_list("member_id", flat=True)
        )
        expected = _values(raw)
        if row != expected or members != raw.members:
            different.append(f"{site.slug} {day}")
        checked += 1
    return {"site_days_checked": checked, "different": different}


def _figures(sites: QuerySet[Site], start: dt.date, end: dt.date, calls: int) -> dict[str, Any]:
    from buron.observatory import selectors

    network_id = sites.values_list("network_id", flat=True).first()
    now = dt.datetime.now(dt.UTC)

    def dashboard() -> Any:
        return selectors.dashboard_for(
            sites=sites, start=start, end=end, reference_network_id=network_id, now=now
        )

    dashboard_ms, _found = _timed(dashboard, calls, 120)
    rollup_ms, rollup = _timed(
        lambda: selectors.summary_for(sites=sites, start=start, end=end, now=now), calls, 120
    )
    raw_ms, raw = _timed(
        lambda: selectors.summary_raw(sites=sites, start=start, end=end, now=now),
        max(3, calls // 5),
        300,
    )
    log(f"dashboard {dashboard_ms}, summary from rollups {rollup_ms}, raw {raw_ms}")
    return {
        "dashboard_selector": dashboard_ms,
        "summary_rollups": rollup_ms,
        "summary_raw": raw_ms,
        "raw_to_rollups_p50": round(raw_ms["p50_ms"] / rollup_ms["p50_ms"], 1),
        "summary_equal": rollup == raw,
        "summary": {
            "visits": rollup.visits,
            "unique_visitors": rollup.unique_visitors,
            "occupancy_rate": round(rollup.occupancy_rate, 4),
            "no_show_rate": round(rollup.no_show_rate, 4),
            "salaried_share": round(rollup.share_by_status.get("salaried_remote", 0.0), 4),
            "raw_visits": raw.visits,
        },
    }


def _session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    from .server import HOST

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _page(port: int, path: str, cookie: str, calls: int) -> dict[str, Any]:
    from . import client
    from .client import Request

    latencies, body = client.sequential(
        port=port,
        request=Request("GET", path, headers={"Cookie": cookie}),
        calls=calls,
        max_seconds=240,
    )
    if b"<svg" not in body:
        raise RuntimeError(f"{path} gave no chart")
    return {"path": path, **_ms(latencies), "response_bytes": len(body)}


def _checkin_plans(members: list[Member], slugs: list[str]) -> list[Plan]:
    from .client import Request

    def plan_of(member: Member, offset: int) -> Plan:
        def plan(k: int) -> Request | None:
            if k >= len(slugs):
                return None
            body = {"site": slugs[(offset + k) % len(slugs)], "client_uuid": str(uuid.uuid4())}
            return Request(
                "POST",
                CHECKINS_PATH,
                json.dumps(body).encode(),
                {"Authorization": f"Bearer {member.token}", "Content-Type": "application/json"},
            )

        return plan

    step = max(1, len(slugs) // max(1, len(members)))
    return [plan_of(m, n * step) for n, m in enumerate(members)]


def _loads(port: int, load: Load, checkin_plans: list[Plan]) -> dict[str, LoadResult]:
    from . import client, server
    from .client import Request

    minimal = Request("GET", server.MINIMAL_PATH)
    minimal_plans: list[Plan] = [lambda _k: minimal for _n in range(load.clients)]

    def run(label: str, plans: list[Plan], ok: frozenset[int], seconds: float) -> LoadResult:
        return client.load(
            label=label,
            port=port,
            plans=plans,
            duration_s=seconds,
            max_requests=load.max_requests_per_client,
            completed_statuses=ok,
            timeout_s=load.request_timeout_s,
        )

    run("warm-up", minimal_plans, frozenset({200}), load.warmup_s)
    runs = {
        "minimal_before": run("minimal_before", minimal_plans, frozenset({200}), load.duration_s),
        "checkin": run("checkin", checkin_plans, frozenset({200, 201}), load.duration_s),
        "minimal_after": run("minimal_after", minimal_plans, frozenset({200}), load.duration_s),
    }
    for label, result in runs.items():
        log(f"{label}: {result.rps:.1f} req/s, {result.as_dict()['statuses']}")
    return runs


def _load_reset() -> int:
    """Visits of earlier runs' load members, then the members (bench.loadplan)."""
    from buron.attendance.models import Visit

    from . import loadplan

    Visit.objects.filter(member__email__endswith="@" + LOAD_EMAIL_DOMAIN).delete()
    return loadplan.members_reset()


def _checkin_probe(member: Member, slug: str) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .server import HOST

    client = Client(HTTP_HOST=HOST)
    body = json.dumps({"site": slug, "client_uuid": str(uuid.uuid4())})
    found = {}
    for label in ("created", "replayed"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                CHECKINS_PATH,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {member.token}"},
            )
        found[label] = {"status": response.status_code, "queries": len(queries)}
    return found


def phase(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, connections
    from django.urls import reverse
    from django.utils import timezone, translation

    from buron.attendance.models import Visit
    from buron.places.models import Network, Site

    from . import loadplan, server

    load = Load(duration_s=args.duration)
    today = timezone.localdate()
    out: dict[str, Any] = {}
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    out["seed"] = _seed(args.size, args.reseed, today)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        out["database"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    end = dt.date.fromisoformat(out["seed"]["last_day"])
    start = end - dt.timedelta(days=364)
    network = Network.objects.order_by("pk").first()
    assert network is not None
    sites = Site.objects.filter(network=network)
    out["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    out["network"] = {"slug": network.slug, "sites": sites.count()}
    out["figures"] = _figures(sites, start, end, args.calls)
    out["rollups_sample"] = _rollups_sample(sites, start, end)
    log(f"rollups sample: {out['rollups_sample']}")

    out["load_members_removed"] = _load_reset()
    admin = _admin(network.pk)
    cookie = _session_cookie(admin)
    with translation.override("fr"):
        page = reverse("observatory:dashboard") + f"?start={start}&end={end}"
    members = loadplan.members_create(load.clients, uuid.uuid4().hex[:8])
    probe_member = loadplan.members_create(1, uuid.uuid4().hex[:8] + "-probe")[0]
    slugs = list(
        Site.objects.filter(is_published=True).order_by("pk").values_list("slug", flat=True)
    )
    connections.close_all()
    log_path = Path(args.log_dir) / "gunicorn-observatory.log"
    with server.running(env=dict(os.environ), load=load, log_path=log_path) as srv:
        server.wait_first_ok(srv)
        out["page_http"] = _page(srv.port, page, cookie, args.calls)
        log(f"dashboard page over HTTP: {out['page_http']}")
        runs = _loads(srv.port, load, _checkin_plans(members, slugs))
    minimal_rps = statistics.fmean([runs["minimal_before"].rps, runs["minimal_after"].rps])
    checkin = runs["checkin"]
    out["load"] = {label: result.as_dict() for label, result in runs.items()}
    out["checkin_rps"] = round(checkin.rps, 1)
    out["minimal_rps"] = round(minimal_rps, 1)
    out["ratio"] = round(checkin.rps / minimal_rps, 3) if minimal_rps else 0.0
    out["integrity"] = {
        "created_answers": checkin.statuses.get(201, 0) + checkin.late.get(201, 0),
        "created_in_database": Visit.objects.filter(
            member_id__in=[m.user_id for m in members]
        ).count(),
    }
    out["probes"] = {"checkin": _checkin_probe(probe_member, slugs[0])}
    log(f"integrity {out['integrity']}, probes {out['probes']}")
    return out


def _phase_main(argv: list[str]) -> int:
    import django

    parser = argparse.ArgumentParser(prog="python -m bench.observatory --phase")
    parser.add_argument("--size", default="full")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--duration", type=float, default=Load.duration_s)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(1))
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    result = phase(args)
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))
    return 0


# --- In the parent process (bench.run, or this module alone) ----------------------------


def measure(
    *, size: str, reseed: bool, duration: float, calls: int, workdir: Path
) -> dict[str, Any]:
    """Run the observatory's phase in a process of its own, on its own database."""
    from .run import database_ensure
    from .server import server_env

    database = DATABASES[size]
    database_ensure(database)
    out = workdir / "observatory.json"
    command = [sys.executable, "-m", "bench.observatory", "--phase", "--size", size]
    command += ["--duration", str(duration), "--calls", str(calls)]
    command += ["--log-dir", str(workdir), "--out", str(out)]
    if reseed:
        command.append("--reseed")
    env = server_env({"DATABASE_URL": f"{POSTGRES_SERVER}/{database}"}, Load(duration_s=duration))
    # The dashboard is a page: its styles are served from collected static files.
    env["STATIC_ROOT"] = str(workdir / "static")
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
    try:
        code = process.wait(timeout=PHASE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait(timeout=60)
        code = None
    if code != 0:
        raise RuntimeError(f"the observatory phase {'timed out' if code is None else code}")
    found: dict[str, Any] = json.loads(out.read_text())
    found["size"] = size
    found["phase_s"] = round(time.perf_counter() - began, 1)
    return found


def verdicts(obs: dict[str, Any]) -> list[dict[str, Any]]:
    """The observatory's budgets, in bench.report's shape."""
    where = "observatory (PostgreSQL)"
    p95 = obs["page_http"]["p95_ms"]
    lost = abs(obs["integrity"]["created_answers"] - obs["integrity"]["created_in_database"])
    failures = sum(run["failures"] for run in obs["load"].values())
    rows = [
        ("dashboard page p95 (HTTP)", p95, "ms", f"≤ {PAGE_BUDGET_MS:g}", p95 <= PAGE_BUDGET_MS),
        ("rollups equal the raw count", int(obs["figures"]["summary_equal"]), "", "1", None),
        ("201 check-ins ≠ visits stored", lost, "", "0", lost == 0),
        ("failed check-in requests", failures, "", "0", failures == 0),
    ]
    sample = obs["rollups_sample"]["different"]
    found = [
        {"figure": f, "where": where, "value": v, "unit": u, "target": t, "pass": p}
        for f, v, u, t, p in rows
    ]
    found[1]["pass"] = bool(obs["figures"]["summary_equal"]) and not sample
    return found


def markdown(obs: dict[str, Any]) -> list[str]:
    """The observatory's section of the report."""
    seed, figures, page = obs["seed"], obs["figures"], obs["page_http"]
    marks = {v["figure"]: "pass" if v["pass"] else "**FAIL**" for v in verdicts(obs)}
    how = (
        f"seeded in this run in {seed['seconds'] / 60:.1f} min"
        if seed["seeded_now"]
        else f"seed of {seed['seeded_at'][:16]} reused (it took "
        f"{seed['seconds_then'] / 60:.1f} min)"
    )
    summary = figures["summary"]
    load = obs["load"]
    minimal = f"{load['minimal_before']['requests_per_s']:.0f}, "
    minimal += f"{load['minimal_after']['requests_per_s']:.0f}"
    checkin = load["checkin"]
    statuses = " / ".join(f"{checkin['statuses'].get(c, 0):,}" for c in ("201", "200"))
    probe = obs["probes"]["checkin"]
    sample = obs["rollups_sample"]
    return [
        "",
        f"## Observatory: {seed['checkins']:,} check-ins on {obs['database']}",
        "",
        f"Database `{DATABASES[obs['size']]}`: the national places, "
        f"{seed['checkins']:,} check-ins (visits) from {seed['first_day']} to "
        f"{seed['last_day']} and their rollups; {how}. Dashboard of a network administrator: "
        f"{obs['network']['sites']} sites, {obs['period']['start']} to {obs['period']['end']} "
        f"({summary['visits']:,} visits, {summary['unique_visitors']:,} unique visitors, "
        f"occupancy {summary['occupancy_rate']:.1%}, no-shows {summary['no_show_rate']:.1%}, "
        f"salaried remote workers {summary['salaried_share']:.1%}).",
        "",
        "| Figure | Value | Target | Verdict |",
        "| --- | --- | --- | --- |",
        f"| Dashboard page over HTTP, p95 (p50), {page['calls']} calls, "
        f"{page['response_bytes'] / 1024:.0f} KB | {page['p95_ms']:.0f} ms "
        f"({page['p50_ms']:.0f}) | ≤ {PAGE_BUDGET_MS:g} ms | "
        f"{marks['dashboard page p95 (HTTP)']} |",
        f"| Dashboard figures in-process (rollups): p95 (p50) | "
        f"{figures['dashboard_selector']['p95_ms']:.0f} ms "
        f"({figures['dashboard_selector']['p50_ms']:.0f}) | reference | |",
        f"| Headline figures from the rollups · from a raw scan: p50 | "
        f"{figures['summary_rollups']['p50_ms']:.0f} ms · "
        f"{figures['summary_raw']['p50_ms']:.0f} ms | reference | |",
        f"| Ratio raw scan / rollups, same figures | {figures['raw_to_rollups_p50']:g} × | | |",
        f"| Rollups equal the raw count: headline figures · sampled site-days | "
        f"{'equal' if figures['summary_equal'] else 'DIFFERENT'} · "
        f"{sample['site_days_checked'] - len(sample['different'])} of "
        f"{sample['site_days_checked']} | equal | {marks['rollups equal the raw count']} |",
        f"| POST /api/v1/checkins, 50 clients: answers/s (201 / 200, p95 latency) | "
        f"{obs['checkin_rps']:.1f}/s ({statuses}, {checkin['latency_p95_ms']:.0f} ms) | | |",
        f"| GET /bench/minimal: answers/s (before, after) | {obs['minimal_rps']:.0f}/s "
        f"({minimal}) | | |",
        f"| Ratio check-in / minimal | {obs['ratio']:.3f} | reported | |",
        f"| Check-ins answered 201 · found in the database | "
        f"{obs['integrity']['created_answers']:,} · "
        f"{obs['integrity']['created_in_database']:,} | equal | "
        f"{marks['201 check-ins ≠ visits stored']} |",
        f"| SQL queries per check-in: new · replayed | {probe['created']['queries']} · "
        f"{probe['replayed']['queries']} | | |",
        f"| Failed requests | {sum(r['failures'] for r in load.values())} | 0 | "
        f"{marks['failed check-in requests']} |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--phase"]:
        return _phase_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m bench.observatory",
        description="The observatory at 10 million check-ins (PostgreSQL).",
    )
    parser.add_argument("--size", choices=["full", "small"], default="full")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--duration", type=float, default=Load.duration_s)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    load_average = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="buron-bench-obs-") as workdir:
        obs = measure(
            size=args.size,
            reseed=args.reseed,
            duration=args.duration,
            calls=args.calls,
            workdir=Path(workdir),
        )
    obs["started_at"] = started.isoformat(timespec="seconds")
    obs["load_average_at_start"] = load_average
    obs["verdicts"] = verdicts(obs)
    text = "\n".join(
        [
            f"# Buron benchmark: the observatory — {obs['started_at'][:10]}",
            "",
            f"Run of {obs['started_at']} on {os.cpu_count()} cores, load average at start "
            f"{', '.join(str(x) for x in load_average)}; it took {obs['phase_s'] / 60:.1f} min.",
            *markdown(obs)[1:],
        ]
    )
    if args.size == "full":
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / "observatory.json").write_text(json.dumps(obs, indent=2) + "\n")
        (RESULTS_DIR / "observatory.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
