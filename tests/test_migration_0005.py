"""Migration 0005 (issue 12): earlier audit rows lose the clinical values they held, and older duplicate active
courses are stopped before the one-active-course constraint is added."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tracker", "0004_edit_history_second_factor")]
AFTER = [("tracker", "0005_security_safeguards")]


@pytest.fixture
def back_to_the_latest_migration():
    """Whatever the test does, the database ends at the latest migration, as the next tests expect."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_it_scrubs_the_trail_and_stops_duplicate_courses(back_to_the_latest_migration):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User, Course, AuditEvent = (old.get_model("tracker", n) for n in ("User", "Course", "AuditEvent"))
    alice = User.objects.create(username="alice-m", role="patient")
    for _ in range(3):
        Course.objects.create(patient=alice, kind="massage", foot="left", day_zero=date(2026, 1, 5), status="active")
    log = AuditEvent.objects.create(
        action="create",
        patient=alice,
        target="daily log 2026-11-20",
        detail={"feet": ["left"], "red_flags": ["rf_calf"]},
    )
    planned = AuditEvent.objects.create(
        action="update",
        patient=alice,
        target="planned sessions set to 6",
        detail={"course": "x", "before": 4, "after": 6},
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Course, AuditEvent = new.get_model("tracker", "Course"), new.get_model("tracker", "AuditEvent")

    assert Course.objects.filter(patient_id=alice.pk, status="active").count() == 1
    assert Course.objects.filter(patient_id=alice.pk, status="stopped").count() == 2
    log, planned = AuditEvent.objects.get(pk=log.pk), AuditEvent.objects.get(pk=planned.pk)
    assert (log.target, log.detail) == ("daily log", {})
    assert (planned.target, planned.detail) == ("course planned sessions", {"course": "x"})
