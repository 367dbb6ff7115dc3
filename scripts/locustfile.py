"""The load test's users (run by ``scripts/load_test.py``, which makes their sessions and checks the database).

200 patients loop with no pause over today's page, saving a day (today or one of the 7 before, with a new note
each time, so every save is a real edit) and their progress; 10 physiotherapists loop over their caseload and
one of their patients' pages. Every user gets one identity from BENCH_USERS_FILE (cookies of a session made by
``bench_common.signed_in_cookies``, no sign-in). Every save answered with success (a redirect to ``?saved=1``) is
appended to BENCH_WRITES_FILE as a JSON line: patient id, date, foot, first-step pain, note.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import date, timedelta

from locust import HttpUser, constant, task

IDENTITIES = json.loads(open(os.environ["BENCH_USERS_FILE"]).read())  # noqa: SIM115
WRITES = open(os.environ["BENCH_WRITES_FILE"], "a", buffering=1)  # noqa: SIM115 - one line per write
CSRF_HEADER = {"X-CSRFToken": IDENTITIES["csrf"]}
_patients = itertools.cycle(IDENTITIES["patients"])
_physios = itertools.cycle(IDENTITIES["physios"])
_writes = itertools.count(1)


def get(user: HttpUser, path: str, name: str) -> None:
    """A page, which must answer 200 itself: a redirect (to sign in, say) is a failure, not a success."""
    with user.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
        if response.status_code == 200:
            response.success()
        else:
            response.failure(f"answered {response.status_code}")


class Patient(HttpUser):
    fixed_count = len(IDENTITIES["patients"])
    wait_time = constant(0)

    def on_start(self) -> None:
        self.me = next(_patients)
        self.client.cookies.update(self.me["cookies"])
        self.today = date.fromisoformat(self.me["today"])

    @task
    def today_page(self) -> None:
        get(self, "/today/", "patient: /today/")

    @task
    def save_a_day(self) -> None:
        day = self.today - timedelta(days=random.randint(0, 7))
        n = next(_writes)
        pain = random.randint(0, 10)
        note = f"load test save {n}"
        form: dict[str, object] = {}
        for foot in self.me["feet"]:
            form |= {
                f"{foot}-first_step_pain": str(pain),
                f"{foot}-average_pain": str(max(0, pain - 1)),
                f"{foot}-minutes_on_feet": "120",
                f"{foot}-activity_level": "light",
                f"{foot}-usual_activities": "partly",
                f"{foot}-weight_bearing": "full",
                f"{foot}-footwear": "supportive",
                f"{foot}-note": note,
            }
        path = "/today/" if day == self.today else f"/log/{day.isoformat()}/"
        with self.client.post(
            path, data=form, headers=CSRF_HEADER, allow_redirects=False, name="patient: POST a day", catch_response=True
        ) as response:
            if response.status_code == 302 and "saved=1" in response.headers.get("Location", ""):
                for foot in self.me["feet"]:
                    line = {"patient": self.me["id"], "date": day.isoformat(), "foot": foot, "pain": pain, "note": note}
                    WRITES.write(json.dumps(line) + "\n")
                response.success()
            else:
                response.failure(f"save answered {response.status_code}")

    @task
    def progress(self) -> None:
        get(self, "/progress/", "patient: /progress/")


class Physio(HttpUser):
    fixed_count = len(IDENTITIES["physios"])
    wait_time = constant(0)

    def on_start(self) -> None:
        self.me = next(_physios)
        self.client.cookies.update(self.me["cookies"])

    @task
    def caseload(self) -> None:
        get(self, "/clinic/", "physio: /clinic/")

    @task
    def a_patient(self) -> None:
        patient = random.choice(self.me["patients"])
        get(self, f"/clinic/patients/{patient}/", "physio: a patient")
