"""`make bench`: both phases of a run, then bench/results/latest.json and latest.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import report
from .config import BUDGETS, POSTGRES_SERVER, PROJECT_DIR, RESULTS_DIR, SIZES, Load, Size
from .server import server_env

PHASE_TIMEOUT_S = 45 * 60


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _psql(database: str, script: str, **variables: str) -> str:
    """Run a psql script (its :'name' and :"name" are the variables, quoted by psql)."""
    command = ["psql", f"{POSTGRES_SERVER}/{database}", "-v", "ON_ERROR_STOP=1", "-tA"]
    for name, value in variables.items():
        command += ["-v", f"{name}={value}"]
    done = subprocess.run(
        command,
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def database_ensure(name: str) -> bool:
    """Create the bench database when missing; True when it was created."""
    found = _psql("postgres", "SELECT 1 FROM pg_database WHERE datname = :'name';\n", name=name)
    if found == "1":
        return False
    _psql("postgres", 'CREATE DATABASE :"name";\n', name=name)
    return True


def _phase(
    target: str, *, size: Size, args: argparse.Namespace, workdir: Path, load: Load
) -> dict[str, Any]:
    if target == "postgres":
        database = {"DATABASE_URL": f"{POSTGRES_SERVER}/{size.database}"}
    else:
        database = {"SQLITE_NAME": str(workdir / "demo.sqlite3")}
    out = workdir / f"{target}.json"
    command = [
        sys.executable,
        "-m",
        "bench.phase",
        "--target",
        target,
        "--size",
        size.name,
        "--duration",
        str(args.duration),
        "--calls",
        str(args.calls),
        "--log-dir",
        str(workdir),
        "--out",
        str(out),
    ]
    if args.reseed:
        command.append("--reseed")
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=server_env(database, load))
    try:
        code = process.wait(timeout=PHASE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        if process.poll() is None:
            # The phase stops its servers when asked to end (SIGTERM); force it only after.
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if code != 0:
        log_path = workdir / f"gunicorn-{target}.log"
        if log_path.exists():
            log(f"--- last lines of {log_path.name} ---")
            log("\n".join(log_path.read_text(errors="replace").splitlines()[-40:]))
        reason = "timed out" if code is None else f"exited with {code}"
        raise RuntimeError(f"the {target} phase {reason}")
    found: dict[str, Any] = json.loads(out.read_text())
    found["phase_s"] = round(time.perf_counter() - began, 1)
    return found


def _machine() -> dict[str, Any]:
    load_avg = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average_at_start": [round(x, 2) for x in load_avg],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Measure Buron against the budgets of DESIGN.md."
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--reseed", action="store_true", help="seed PostgreSQL again")
    parser.add_argument("--only", choices=["postgres", "sqlite"], help="run one database only")
    parser.add_argument("--duration", type=float, default=Load.duration_s, help="seconds a load")
    parser.add_argument("--calls", type=int, default=Load.availability_calls)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    parser.add_argument(
        "--no-observatory", action="store_true", help="skip the 10 million check-ins phase"
    )
    args = parser.parse_args(argv)

    size = SIZES[args.size]
    load = Load(duration_s=args.duration, availability_calls=args.calls)
    started = dt.datetime.now(dt.UTC)
    began = time.perf_counter()
    machine = _machine()
    targets = [args.only] if args.only else ["postgres", "sqlite"]
    if "postgres" in targets and database_ensure(size.database):
        log(f"database {size.database} created")
    workdir = Path(tempfile.mkdtemp(prefix="buron-bench-"))
    phases: dict[str, Any] = {}
    try:
        for target in targets:
            log(f"== {target} ==")
            phases[target] = _phase(target, size=size, args=args, workdir=workdir, load=load)
        observatory = None
        if "postgres" in targets and not args.no_observatory:
            from . import observatory as obs

            log("== observatory (PostgreSQL) ==")
            observatory = obs.measure(
                size=args.size,
                reseed=args.reseed,
                duration=args.duration,
                calls=100,
                workdir=workdir,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    results: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - began, 1),
        "size": size.as_dict(),
        "machine": machine,
        "load": load.as_dict(),
        "budgets": BUDGETS.__dict__,
        "phases": phases,
    }
    if observatory is not None:
        results["observatory"] = observatory
    results["verdicts"] = report.verdicts(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    summary = report.markdown(results)
    if args.only:
        log("--only: the results are printed, bench/results/ is left as it was")
    else:
        (RESULTS_DIR / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
        (RESULTS_DIR / "latest.md").write_text(summary)
    print(summary)
    if not args.only:  # month-end employer invoicing, its own figures (bench/invoicing.py)
        subprocess.run([sys.executable, "-m", "bench.invoicing"], cwd=PROJECT_DIR, check=False)
    missed = [v for v in results["verdicts"] if not v["pass"]]
    return 1 if args.strict and missed else 0
