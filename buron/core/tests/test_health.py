from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.utils import timezone

from buron.core.health import worker_heartbeat_record
from buron.core.management.commands import db_worker
from buron.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@override_settings(TASKS=DATABASE_QUEUE)
def test_readyz_is_ready_with_a_recent_worker(client):
    worker_heartbeat_record(worker_id="w1", now=timezone.now() - dt.timedelta(seconds=30))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }


@override_settings(TASKS=DATABASE_QUEUE, WORKER_STALE_SECONDS=300)
def test_readyz_fails_when_the_worker_is_stale(client):
    worker_heartbeat_record(worker_id="w1", now=timezone.now() - dt.timedelta(seconds=301))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale"
    assert response.json()["status"] == "unavailable"


@override_settings(TASKS=DATABASE_QUEUE)
def test_readyz_fails_when_no_worker_was_ever_seen(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "never seen"


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_newest_of_several_workers_counts(client):
    worker_heartbeat_record(worker_id="old", now=timezone.now() - dt.timedelta(hours=2))
    worker_heartbeat_record(worker_id="new", now=timezone.now())
    assert client.get("/readyz").status_code == 200


def test_readyz_fails_when_a_migration_is_not_applied(client):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    # The latest migration of the app (a leaf of the graph), as if it had not run yet.
    (leaf,) = MigrationLoader(connection).graph.leaf_nodes("core")
    MigrationRecorder.Migration.objects.filter(app="core", name=leaf[1]).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 unapplied"


def test_readyz_needs_no_worker_when_tasks_run_in_the_request(client, settings):
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    assert client.get("/readyz").status_code == 200


@override_settings(TASKS=DATABASE_QUEUE)
def test_readyz_says_nothing_about_people(client, django_user_model):
    django_user_model.objects.create_user("someone@example.org", "x")
    worker_heartbeat_record(worker_id="w1")
    body = client.get("/readyz").content.decode()
    assert "example.org" not in body
    assert set(client.get("/readyz").json()) == {"status", "checks"}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_the_db_worker_records_a_heartbeat_even_with_an_empty_queue(client):
    """The project's db_worker (which overrides django-tasks-db's) beats while it polls."""
    assert client.get("/readyz").status_code == 503
    worker_heartbeat_record(worker_id="gone", now=timezone.now() - dt.timedelta(days=2))
    call_command("db_worker", batch=True, reload=False, startup_delay=False, worker_id="drill")
    assert not WorkerHeartbeat.objects.filter(worker_id="gone").exists()
    beat = WorkerHeartbeat.objects.get(worker_id="drill")
    assert timezone.now() - beat.seen_at < dt.timedelta(seconds=60)
    assert client.get("/readyz").status_code == 200


def test_the_db_worker_command_is_the_projects():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "buron.core"
    assert issubclass(db_worker.HeartbeatWorker, db_worker.upstream.Worker)


@override_settings(SECURE_SSL_REDIRECT=True)
def test_probes_answer_over_plain_http_when_everything_else_redirects(client, settings):
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code in {200, 503}
