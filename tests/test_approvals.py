"""A staff account made from an invitation joins no care team until a second admin approves it (issue 12 item
2): before, one admin could invite a physiotherapist at an address they control, accept it, and put that account
on a patient's care team."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tests.factories import AdminFactory, PhysioFactory
from tests.second_factor import sign_in_verified
from tracker.models import AuditAction, AuditEvent, CareTeamMembership, Role, User
from tracker.services import accounts as services
from tracker.services.audit import AuditContext
from tracker.services.second_factor import second_factor_reset

PASSWORD = "a-long-new-passphrase-71"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def second_admin(db):
    return AdminFactory.create(username="erik", first_name="Erik", last_name="Eng")


def _invited_account(admin_client, role=Role.PHYSIO, username="mallory") -> User:
    """An account made from ``admin_client``'s invitation, accepted by whoever holds the link."""
    admin_client.post(reverse("manage:invite"), {"email": f"{username}@example.org", "role": role})
    found = re.search(r"(/accounts/invitation/[^/\s]+/)", str(mail.outbox[-1].body))
    assert found is not None
    path = found.group(1)
    response = Client().post(
        path,
        {"username": username, "first_name": "M", "last_name": "Al", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username=username)


def _assign(client, physio, patient):
    data = {"physio": str(physio.public_id), "patients": [str(patient.public_id)], "action": "assign"}
    return client.post(reverse("manage:care_teams_change"), data)


def test_an_invited_physio_joins_no_care_team_before_approval(admin_client_, patient):
    mallory = _invited_account(admin_client_)
    assert mallory.approval_required and not mallory.is_approved
    _assign(admin_client_, mallory, patient)
    assert not CareTeamMembership.objects.filter(physio=mallory).exists()


def test_the_inviting_admin_cannot_approve_but_a_second_admin_can(admin_client_, second_admin, patient):
    mallory = _invited_account(admin_client_)
    page = admin_client_.get(reverse("manage:users")).content.decode()
    assert "waiting for approval" in page and "mallory" in page

    admin_client_.post(reverse("manage:user_approve", args=[mallory.public_id]))
    mallory.refresh_from_db()
    assert not mallory.is_approved

    second = sign_in_verified(Client(), second_admin)
    assert second.post(reverse("manage:user_approve", args=[mallory.public_id])).status_code == 302
    mallory.refresh_from_db()
    assert mallory.is_approved and mallory.approved_by == second_admin
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT, actor=second_admin, detail__event="approved").exists()
    _assign(admin_client_, mallory, patient)
    assert CareTeamMembership.objects.filter(physio=mallory, patient=patient).exists()
    assert "mallory" not in admin_client_.get(reverse("manage:users")).context["approvals"].values_list(
        "username", flat=True
    )


def test_no_one_approves_themselves(clinic_admin, second_admin):
    erin = AdminFactory.create(username="erin")
    erin.approval_required = True
    erin.save()
    with pytest.raises(ValidationError):
        services.user_approve(user=erin, audit=AuditContext(actor=erin))
    # An unapproved admin approves no one else either.
    nick = PhysioFactory.create(username="nick")
    nick.approval_required = True
    nick.save()
    with pytest.raises(ValidationError):
        services.user_approve(user=nick, audit=AuditContext(actor=erin))


def test_a_clinic_with_one_admin_gets_approval_from_a_superuser(admin_client_, clinic_admin, patient):
    mallory = _invited_account(admin_client_)
    with pytest.raises(ValidationError):
        services.user_approve(user=mallory, audit=AuditContext(actor=clinic_admin))
    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    with pytest.raises(CommandError):
        call_command("approve_account", "mallory", by=clinic_admin.username)
    call_command("approve_account", "mallory", by="root")
    mallory.refresh_from_db()
    assert mallory.is_approved and mallory.approved_by is not None and mallory.approved_by.username == "root"


def test_a_patient_made_physio_by_a_role_change_also_waits(admin_client_, patient, second_admin):
    eve = _invited_account(admin_client_, role=Role.PATIENT, username="eve")
    assert eve.is_approved  # patients need no approval
    admin_client_.post(reverse("manage:user_role", args=[eve.public_id]), {"role": Role.PHYSIO})
    eve.refresh_from_db()
    assert eve.role == Role.PHYSIO and not eve.is_approved
    _assign(admin_client_, eve, patient)
    assert not CareTeamMembership.objects.filter(physio=eve).exists()


def test_an_unapproved_admin_grants_no_clinical_access(admin_client_, patient, other_physio):
    mallory = _invited_account(admin_client_, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.care_team_assign(physio=other_physio, patients=[patient], audit=AuditContext(actor=mallory))
    with pytest.raises(ValidationError):
        second_factor_reset(user=other_physio, audit=AuditContext(actor=mallory))
    with pytest.raises(ValidationError):
        services.user_change_role(user=patient, role=Role.PHYSIO, audit=AuditContext(actor=mallory))
    assert not CareTeamMembership.objects.filter(physio=other_physio).exists()
    assert other_physio.second_factor_enabled


def test_existing_staff_count_as_approved(physio, clinic_admin):
    assert physio.is_approved and clinic_admin.is_approved
