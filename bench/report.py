"""Budgets checked and the short human summary of a run."""

from __future__ import annotations

import statistics
from typing import Any

from .config import BUDGETS

WHERE = {"sqlite": "demo (SQLite)", "postgres": "national (PostgreSQL)"}


def _verdict(
    figure: str, target: str, value: float, unit: str, limit: str, passed: bool
) -> dict[str, Any]:
    return {
        "figure": figure,
        "where": WHERE[target],
        "value": value,
        "unit": unit,
        "target": limit,
        "pass": passed,
    }


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for target, phase in results["phases"].items():
        p95 = phase["availability_http"]["p95_ms"]
        budget = (
            BUDGETS.availability_p95_demo_ms
            if target == "sqlite"
            else BUDGETS.availability_p95_national_ms
        )
        found.append(
            _verdict("availability p95 (HTTP)", target, p95, "ms", f"≤ {budget:g}", p95 <= budget)
        )
        ratio = phase["ratio"]
        found.append(
            _verdict(
                "booking / minimal throughput",
                target,
                ratio,
                "",
                f"≥ {BUDGETS.booking_to_minimal_ratio:g}",
                ratio >= BUDGETS.booking_to_minimal_ratio,
            )
        )
        if "ratio_carnet" in phase:
            carnet = phase["ratio_carnet"]
            found.append(
                _verdict(
                    "carnet booking / minimal throughput",
                    target,
                    carnet,
                    "",
                    f"≥ {BUDGETS.carnet_booking_to_minimal_ratio:g}",
                    # The budget is SQLite's; PostgreSQL's ratio is reported (DESIGN.md).
                    carnet >= BUDGETS.carnet_booking_to_minimal_ratio or target == "postgres",
                )
            )
            spent = phase["carnet"]
            found.append(
                _verdict(
                    "carnet bookings without a spend",
                    target,
                    abs(spent["active_bookings"] - spent["spends"]),
                    "",
                    "0",
                    spent["spends"] == spent["active_bookings"],
                )
            )
        failures = sum(run["failures"] for run in phase["load"].values())
        found.append(_verdict("failed requests", target, failures, "", "0", failures == 0))
        integrity = phase["integrity"]
        for key, label in (
            ("overlapping_active_bookings", "overlapping active bookings"),
            ("duplicate_active_slots", "duplicate active slots"),
        ):
            found.append(_verdict(label, target, integrity[key], "", "0", integrity[key] == 0))
        lost = abs(integrity["created_answers"] - integrity["created_in_database"])
        found.append(_verdict("201 answers ≠ bookings stored", target, lost, "", "0", lost == 0))
        rss = phase["rss_mb"]["max_worker"]
        found.append(
            _verdict(
                "worker RSS after load",
                target,
                rss,
                "MB",
                f"≤ {BUDGETS.worker_rss_mb:g}",
                rss <= BUDGETS.worker_rss_mb,
            )
        )
        cold = statistics.median(phase["cold_start_s"])
        found.append(
            _verdict(
                "cold start (median)",
                target,
                cold,
                "s",
                f"≤ {BUDGETS.cold_start_s:g}",
                cold <= BUDGETS.cold_start_s,
            )
        )
    if "observatory" in results:
        from .observatory import verdicts as observatory_verdicts

        found += observatory_verdicts(results["observatory"])
    return found


def _mark(passed: bool) -> str:
    return "pass" if passed else "**FAIL**"


def _cell(phase: dict[str, Any] | None, render: Any) -> str:
    if phase is None:
        return "—"
    return str(render(phase))


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _availability(p: dict[str, Any]) -> str:
    http = p["availability_http"]
    return (
        f"{http['p95_ms']:.0f} ms ({http['p50_ms']:.0f}) · {http['calls']} calls, "
        f"{http['sites']:,} sites, {http['response_bytes'] / 1024:,.0f} KB"
    )


def _selector(p: dict[str, Any]) -> str:
    return f"{p['selector']['p95_ms']:.0f} ms ({p['selector']['p50_ms']:.0f})"


def _booking_rps(p: dict[str, Any]) -> str:
    groups = p["load"]["booking"]["groups"]
    return (
        f"{p['booking_rps']:.1f}/s ({groups['spread']['requests_per_s']:.1f} "
        f"+ {groups['hot']['requests_per_s']:.1f})"
    )


def _minimal_rps(p: dict[str, Any]) -> str:
    before = p["load"]["minimal_before"]["requests_per_s"]
    after = p["load"]["minimal_after"]["requests_per_s"]
    return f"{p['minimal_rps']:.0f}/s ({before:.0f}, {after:.0f})"


def _booking_answers(p: dict[str, Any]) -> str:
    booking = p["load"]["booking"]
    counts = " / ".join(f"{booking['statuses'].get(code, 0):,}" for code in ("201", "409", "422"))
    return f"{counts} ({booking['latency_p95_ms']:.0f} ms)"


def _queries(p: dict[str, Any]) -> str:
    probes = p["probes"]
    keys = ["booking_created", "booking_carnet_created"]
    keys += ["booking_same_again", "booking_hot_site_after_load"]
    answers = [
        f"{probes[key]['queries']} ({probes[key]['status']}"
        f"{', carnet' if key == 'booking_carnet_created' else ''})"
        for key in keys
        if key in probes
    ]
    return " · ".join([str(probes["availability_all_sites"]["queries"]), *answers])


def _token_calls(p: dict[str, Any]) -> str:
    probes = p["probes"]
    if "token_first_call" not in probes:
        return "—"
    return f"{probes['token_first_call']['queries']} · {probes['token_second_call']['queries']}"


def _carnet_rps(p: dict[str, Any]) -> str:
    if "booking_carnet" not in p["load"]:
        return "—"
    groups = p["load"]["booking_carnet"]["groups"]
    booking = p["load"]["booking_carnet"]
    counts = " / ".join(f"{booking['statuses'].get(code, 0):,}" for code in ("201", "409", "422"))
    return (
        f"{p['booking_carnet_rps']:.1f}/s ({groups['spread']['requests_per_s']:.1f} "
        f"+ {groups['hot']['requests_per_s']:.1f}); {counts}"
    )


def _carnet_spent(p: dict[str, Any]) -> str:
    if "carnet" not in p:
        return "—"
    spent = p["carnet"]
    return (
        f"{spent['created_answers']:,} · {spent['active_bookings']:,} · {spent['spends']:,} "
        f"({spent['spent_credits']:,} credits)"
    )


def _cold_start(p: dict[str, Any]) -> str:
    starts = p["cold_start_s"]
    return f"{statistics.median(starts):.2f} s ({', '.join(f'{s:.2f}' for s in starts)})"


def markdown(results: dict[str, Any]) -> str:
    phases = results["phases"]
    sqlite, postgres = phases.get("sqlite"), phases.get("postgres")
    load = results["load"]
    machine = results["machine"]
    size = results["size"]
    marks = {(v["figure"], v["where"]): v["pass"] for v in results["verdicts"]}

    def verdict(*figures: str) -> str:
        found = [
            _mark(all(marks[(figure, WHERE[t])] for figure in figures))
            for t in ("sqlite", "postgres")
            if all((figure, WHERE[t]) in marks for figure in figures)
        ]
        return " / ".join(found)

    lines = [
        f"# Buron benchmark — {results['started_at'][:10]}",
        "",
        f"Run of {results['started_at']} on {machine['cpus']} cores ({machine['platform']}, "
        f"Python {machine['python']}; load average at start "
        f"{', '.join(str(x) for x in machine['load_average_at_start'])}); "
        f"the whole run took {_minutes(results['duration_s'])}.",
    ]
    if postgres is not None:
        seed = postgres["seed"]
        counts = seed["counts"]
        how = (
            f"seeded in this run in {_minutes(seed['seconds'])}"
            if seed["seeded_now"]
            else f"seed of {seed['seeded_at'][:16]} reused (it took "
            f"{_minutes(seed['seed_seconds_then'])})"
        )
        lines.append(
            f"National size on {postgres['database']} (`{size['database']}`): "
            f"{size['networks']} networks, {counts['places_site']:,} sites, "
            f"{counts['places_resource']:,} resources, {size['bookings']:,} bookings "
            f"(~{counts['booking_bookingslot']:,} slots) from {seed['first_day']} to "
            f"{seed['last_day']}; {how}."
        )
    if sqlite is not None:
        seed = sqlite["seed"]
        lines.append(
            f"Demo size on {sqlite['database']} (temporary file): the Cantal demo network, "
            f"{seed['sites']} sites, {seed['resources']} resources, {seed['bookings']:,} "
            f"bookings, seeded in {_minutes(seed['seconds'])}."
        )
    day = (postgres or sqlite or {}).get("day", "?")
    lines += [
        f"Servers: gunicorn `bench.wsgi_minimal` with `bench.settings`, {load['workers']} "
        f"{load['worker_class']} workers × {load['threads']} threads"
        f"{', --preload' if load.get('preload') else ''}, DEBUG=0, "
        f"CONN_MAX_AGE={load['conn_max_age']}, on 127.0.0.1. Clients: {load['clients']} "
        f"threads with their own keep-alive connection, member and API token; each load "
        f"lasts {load['duration_s']:g} s. Searched and hammered day: {day}.",
        "",
        "| Figure | Demo (SQLite) | National (PostgreSQL) | Target | Verdict |",
        "| --- | --- | --- | --- | --- |",
    ]

    def row(label: str, render: Any, target: str = "", *figures: str) -> None:
        lines.append(
            f"| {label} | {_cell(sqlite, render)} | {_cell(postgres, render)} | {target} | "
            f"{verdict(*figures) if figures else ''} |"
        )

    row(
        f"Availability of desks, all sites, one day: HTTP p95 (p50), "
        f"{load['availability_calls']} calls at most",
        _availability,
        f"≤ {BUDGETS.availability_p95_demo_ms:g} / ≤ {BUDGETS.availability_p95_national_ms:g} ms",
        "availability p95 (HTTP)",
    )
    row("Same search, selector alone in-process: p95 (p50)", _selector, "reference")
    row("POST /api/v1/bookings: answers/s (spread + hot-site clients)", _booking_rps)
    row("GET /bench/minimal: answers/s (before, after)", _minimal_rps)
    row(
        "Ratio booking / minimal",
        lambda p: f"{p['ratio']:.3f}",
        f"≥ {BUDGETS.booking_to_minimal_ratio:g}",
        "booking / minimal throughput",
    )
    row("Booking answers 201 / 409 / 422 (p95 latency)", _booking_answers)
    row(
        "Carnet holders: answers/s (spread + hot); 201 / 409 / 422",
        _carnet_rps,
    )
    row(
        "Ratio carnet booking / minimal (each booking spends a credit)",
        lambda p: f"{p['ratio_carnet']:.3f}" if "ratio_carnet" in p else "—",
        f"≥ {BUDGETS.carnet_booking_to_minimal_ratio:g} (SQLite)",
        "carnet booking / minimal throughput",
    )
    row(
        "Carnet bookings answered 201 · held · credits spent by them",
        _carnet_spent,
        "held = spends",
        "carnet bookings without a spend",
    )
    row(
        "SQL queries per request: availability · bookings (status), by a token in use",
        _queries,
    )
    row("SQL queries of a token's first call · its next one (GET /api/v1/bookings)", _token_calls)
    row(
        "Failed requests (5xx, other status, connection error)",
        lambda p: sum(run["failures"] for run in p["load"].values()),
        "0",
        "failed requests",
    )
    row(
        "Overlapping active bookings · duplicate active slots (SQL, whole tables)",
        lambda p: (
            f"{p['integrity']['overlapping_active_bookings']} · "
            f"{p['integrity']['duplicate_active_slots']}"
        ),
        "0 · 0",
        "overlapping active bookings",
        "duplicate active slots",
    )
    row(
        "Bookings answered 201 · found in the database",
        lambda p: (
            f"{p['integrity']['created_answers']:,} · {p['integrity']['created_in_database']:,}"
        ),
        "equal",
        "201 answers ≠ bookings stored",
    )
    row(
        "Worker RSS after the load (largest worker)",
        lambda p: f"{p['rss_mb']['max_worker']:.0f} MB",
        f"≤ {BUDGETS.worker_rss_mb:g} MB",
        "worker RSS after load",
    )
    row(
        "Cold start to first 200 on /bench/minimal: median (all)",
        _cold_start,
        f"≤ {BUDGETS.cold_start_s:g} s",
        "cold start (median)",
    )
    met = sum(v["pass"] for v in results["verdicts"])
    lines += [
        "",
        f"Budgets met: {met} of {len(results['verdicts'])}. Booking clients: half book "
        "half-days spread over all sites and days, half hammer the site with the most free "
        "desks on the searched day; 201, 409 and 422 count as completed answers. Carnet "
        "holders: the same two shapes by other members, each with a carnet in every network "
        "(every booking spends a credit), their hot site hammered a week later. Throughputs "
        "are only compared within this run (the machine is shared). Run again with `make "
        "bench` (`python -m bench --size small` for a quick check, `--reseed` to seed again).",
        "",
    ]
    if "observatory" in results:
        from .observatory import markdown as observatory_markdown

        lines += observatory_markdown(results["observatory"])
    return "\n".join(lines)
