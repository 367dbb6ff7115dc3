"""Invitations: a one-time link, e-mailed, valid for INVITATION_VALID_DAYS days; resend and revoke."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import InvitationFactory, PatientFactory
from tests.second_factor import set_up_through_page
from tracker.models import AuditAction, AuditEvent, Invitation, Role, User
from tracker.services.accounts import ERROR_ALREADY_INVITED, ERROR_EMAIL_HAS_ACCOUNT

NEW_PASSWORD = "plantar-fascia-heals-slowly-7"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _invite(client, email="new.physio@example.org", role=Role.PHYSIO):
    return client.post(reverse("manage:invite"), {"email": email, "role": role})


def _link_from_outbox(index=-1) -> str:
    """The invitation link's path, read from the e-mail as the invitee would."""
    match = re.search(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)", mail.outbox[index].body)
    assert match, mail.outbox[index].body
    return match.group(1)


def _accept(client, path, username="newphysio", password=NEW_PASSWORD, **extra):
    data = {
        "username": username,
        "first_name": "Nora",
        "last_name": "Newman",
        "password1": password,
        "password2": password,
        **extra,
    }
    return client.post(path, data)


def test_it_invites_by_email_and_keeps_only_a_hash(admin_client_, clinic_admin):
    response = _invite(admin_client_)
    assert response.status_code == 302 and response.url == reverse("manage:users")

    invitation = Invitation.objects.get()
    assert invitation.email == "new.physio@example.org"
    assert invitation.role == Role.PHYSIO
    assert invitation.created_by == clinic_admin
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.physio@example.org"]
    token = _link_from_outbox().rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40  # secrets.token_urlsafe(32)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())

    event = AuditEvent.objects.get(action=AuditAction.INVITE)
    assert event.actor == clinic_admin and event.detail["event"] == "sent"
    assert token not in str(event.detail)


def test_the_invitee_accepts_and_signs_in_with_the_invited_role(admin_client_, client, clinic_admin):
    _invite(admin_client_)
    path = _link_from_outbox()

    page = client.get(path)
    assert page.status_code == 200
    assert "new.physio@example.org" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"  # the token never goes to another site
    assert "no-store" in page["Cache-Control"]

    response = _accept(client, path)
    assert response.status_code == 302 and response.url == reverse("login")

    user = User.objects.get(username="newphysio")
    assert user.role == Role.PHYSIO
    assert user.email == "new.physio@example.org"
    assert user.get_full_name() == "Nora Newman"
    assert not user.is_staff and not user.is_superuser
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None and invitation.user == user
    assert AuditEvent.objects.filter(action=AuditAction.INVITE, actor=user, detail__event="accepted").exists()

    signed_in = client.post(reverse("login"), {"username": "newphysio", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    # A new staff account sets up its authenticator before it reaches any page of the app.
    assert client.get(reverse("clinic:caseload")).url.startswith(reverse("second_factor_setup"))
    codes = set_up_through_page(client)
    assert len(codes) == 10
    assert client.get(reverse("home")).url == reverse("clinic:caseload")
    assert client.get(reverse("clinic:caseload")).status_code == 200


@pytest.mark.parametrize("role", [Role.PATIENT, Role.ADMIN])
def test_it_gives_each_invited_role(admin_client_, client, role):
    _invite(admin_client_, email=f"{role}@example.org", role=role)
    _accept(client, _link_from_outbox(), username=f"new{role}")
    assert User.objects.get(username=f"new{role}").role == role


def test_a_link_works_once(admin_client_, client):
    _invite(admin_client_)
    path = _link_from_outbox()
    _accept(client, path)
    client.logout()

    assert client.get(path).status_code == 404
    response = _accept(client, path, username="someoneelse")
    assert response.status_code == 404
    assert "no longer works" in response.content.decode()
    assert not User.objects.filter(username="someoneelse").exists()


def test_an_expired_link_is_refused(admin_client_, client):
    _invite(admin_client_)
    path = _link_from_outbox()
    Invitation.objects.update(
        created_at=timezone.now() - timedelta(days=8), expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(path).status_code == 404
    assert _accept(client, path).status_code == 404
    assert not User.objects.filter(username="newphysio").exists()


def test_a_link_still_works_on_its_last_day(admin_client_, client):
    _invite(admin_client_)
    Invitation.objects.update(expires_at=timezone.now() + timedelta(minutes=5))
    assert _accept(client, _link_from_outbox()).status_code == 302


def test_an_unknown_token_is_refused(client, db):
    assert client.get(reverse("invitation_accept", kwargs={"token": "not-a-real-token"})).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("token", "found"), [("t" * 200, True), ("t" * 201, False), ("", False)])
def test_a_token_is_looked_up_only_up_to_200_characters(token, found):
    """Links carry 43 characters; anything over 200 is refused before it is hashed or looked up."""
    from tracker.selectors.accounts import invitation_get_by_token

    invitation = InvitationFactory.create(token_hash=hashlib.sha256(token.encode()).hexdigest())

    assert invitation_get_by_token(token=token) == (invitation if found else None)


def test_a_resend_kills_the_old_link(admin_client_, client):
    _invite(admin_client_)
    old_path = _link_from_outbox()
    invitation = Invitation.objects.get()
    Invitation.objects.update(
        created_at=timezone.now() - timedelta(days=6), expires_at=timezone.now() + timedelta(days=1)
    )

    admin_client_.post(reverse("manage:invitation_resend", kwargs={"pk": invitation.pk}))

    assert len(mail.outbox) == 2
    new_path = _link_from_outbox()
    assert new_path != old_path
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6, hours=23)
    assert client.get(old_path).status_code == 404
    assert _accept(client, new_path).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.INVITE, detail__event="resent").exists()


def test_an_expired_invitation_can_be_resent(admin_client_, client):
    _invite(admin_client_)
    Invitation.objects.update(
        created_at=timezone.now() - timedelta(days=9), expires_at=timezone.now() - timedelta(days=2)
    )
    admin_client_.post(reverse("manage:invitation_resend", kwargs={"pk": Invitation.objects.get().pk}))
    assert _accept(client, _link_from_outbox()).status_code == 302


def test_a_revoked_link_is_refused(admin_client_, client):
    _invite(admin_client_)
    path = _link_from_outbox()
    invitation = Invitation.objects.get()
    admin_client_.post(reverse("manage:invitation_revoke", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert client.get(path).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.INVITE, detail__event="revoked").exists()
    # And a revoked invitation is not resent.
    admin_client_.post(reverse("manage:invitation_resend", kwargs={"pk": invitation.pk}))
    assert len(mail.outbox) == 1


def test_it_refuses_an_address_with_an_account(admin_client_, patient):
    response = _invite(admin_client_, email="ALICE@example.org")
    assert response.status_code == 200
    assert ERROR_EMAIL_HAS_ACCOUNT in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_it_refuses_a_second_invitation_while_one_waits(admin_client_):
    _invite(admin_client_)
    response = _invite(admin_client_, email="New.Physio@example.org")
    assert ERROR_ALREADY_INVITED in response.content.decode()
    assert Invitation.objects.count() == 1


def test_it_refuses_a_weak_password(admin_client_, client):
    _invite(admin_client_)
    path = _link_from_outbox()
    for weak in ("password123", "short-1", "12345678901", "newphysio-2", "new.physio@example.org"):
        response = _accept(client, path, password=weak)
        assert response.status_code == 200, weak
        assert response.context["form"].errors, weak
    assert not User.objects.filter(username="newphysio").exists()
    assert Invitation.objects.get().accepted_at is None


def test_it_refuses_a_taken_user_name(admin_client_, client, patient):
    _invite(admin_client_)
    response = _accept(client, _link_from_outbox(), username="ALICE")
    assert response.status_code == 200
    assert "taken" in response.content.decode()


def test_a_signed_in_user_is_asked_to_sign_out_first(admin_client_, patient_client):
    _invite(admin_client_)
    path = _link_from_outbox()
    assert patient_client.get(path).status_code == 409
    assert _accept(patient_client, path).status_code == 409
    assert not User.objects.filter(username="newphysio").exists()


def test_only_admins_invite(physio_client, patient_client):
    assert _invite(physio_client).status_code == 403
    assert _invite(patient_client).status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("name", ["invitation_resend", "invitation_revoke"])
def test_resend_and_revoke_are_post_only_and_admin_only(admin_client_, physio_client, name):
    invitation = InvitationFactory.create()
    url = reverse(f"manage:{name}", kwargs={"pk": invitation.pk})
    assert admin_client_.get(url).status_code == 405
    assert physio_client.post(url).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_the_users_page_lists_waiting_invitations(admin_client_):
    InvitationFactory.create(email="waiting@example.org")
    InvitationFactory.create(email="accepted@example.org", accepted_at=timezone.now(), user=PatientFactory.create())
    page = admin_client_.get(reverse("manage:users")).content.decode()
    assert "waiting@example.org" in page
    assert "accepted@example.org" not in page


# ----------------------------------------------------------------------------------------------------------
# A patient's invitation sets up their phone, physiotherapist and first course in one step (issue 14)
# ----------------------------------------------------------------------------------------------------------


def _invite_patient(client, **extra):
    data = {"email": "new.patient@example.org", "role": Role.PATIENT, **extra}
    return client.post(reverse("manage:invite"), data)


def test_inviting_a_patient_sets_up_the_physio_and_the_first_course_when_accepted(
    admin_client_, client, clinic_admin, physio
):
    from tracker.models import CareTeamMembership, Course

    day_zero = timezone.localdate()
    response = _invite_patient(
        admin_client_,
        phone="07700 900456",
        physio=str(physio.public_id),
        course_kind="endoscopic",
        course_foot="right",
        course_day_zero=day_zero.isoformat(),
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.physio, invitation.course_kind, invitation.course_foot) == (physio, "endoscopic", "right")
    assert not Course.objects.filter(kind="endoscopic").exists()  # nothing before the patient accepts

    _accept(client, _link_from_outbox(), username="newpatient")

    patient = User.objects.get(username="newpatient")
    assert patient.phone == "07700 900456"
    assert CareTeamMembership.objects.filter(patient=patient, physio=physio, created_by=clinic_admin).exists()
    course = Course.objects.get(patient=patient)
    assert (course.kind, course.foot, course.day_zero, course.created_by) == (
        "endoscopic",
        "right",
        day_zero,
        clinic_admin,
    )
    events = AuditEvent.objects.filter(patient=patient).values_list("action", "actor__username")
    assert set(events) >= {
        (AuditAction.INVITE, "newpatient"),
        (AuditAction.CARE_TEAM_ADD, clinic_admin.username),
        (AuditAction.CREATE, clinic_admin.username),
    }
    assert "07700" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"role": Role.PHYSIO, "phone": "020 7946 0000"}, "ERROR_PATIENT_ONLY"),
        ({"course_kind": "massage"}, "ERROR_COURSE_INCOMPLETE"),
        ({"course_kind": "massage", "course_foot": "left"}, "ERROR_COURSE_INCOMPLETE"),
        ({"phone": "not a number"}, "PHONE_INVALID"),
    ],
)
def test_a_patients_invitation_refuses_what_does_not_fit(admin_client_, extra, message):
    from tracker import models
    from tracker.services import accounts

    expected = getattr(accounts, message, None) or getattr(models, message)
    response = _invite_patient(admin_client_, **extra)

    assert response.status_code == 200
    assert expected.replace("'", "&#x27;") in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_an_admin_cannot_put_themselves_on_the_care_team_by_invitation(admin_client_, clinic_admin):
    from tracker.services.accounts import ERROR_SELF_ASSIGN

    response = _invite_patient(admin_client_, physio=str(clinic_admin.public_id))

    assert ERROR_SELF_ASSIGN in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_invited_patient_with_a_course_logs_on_day_1_and_no_silence_alert_fires_before(
    admin_client_, client, physio
):
    """The course's day 0 was 5 days before the invitation was accepted: the patient could not have logged then."""
    from tracker.models import Alert, AlertKind, DailyLog
    from tracker.services.alerts import alerts_raise_for_patient
    from tracker.services.audit import AuditContext
    from tracker.services.logs import daily_log_save

    accepted_on = timezone.localdate()
    _invite_patient(
        admin_client_,
        physio=str(physio.public_id),
        course_kind="massage",
        course_foot="left",
        course_day_zero=(accepted_on - timedelta(days=5)).isoformat(),
    )
    _accept(client, _link_from_outbox(), username="newpatient")
    patient = User.objects.get(username="newpatient")
    silence = [AlertKind.NO_LOG_2, AlertKind.NO_LOG_7]

    for day in (accepted_on, accepted_on + timedelta(days=1)):
        alerts_raise_for_patient(patient=patient, today=day)
    assert not Alert.objects.filter(patient=patient, kind__in=silence).exists()

    day_1 = accepted_on + timedelta(days=1)
    daily_log_save(
        patient=patient,
        day=day_1,
        today=day_1,
        data_by_foot={"left": {"first_step_pain": 5, "average_pain": 4}},
        audit=AuditContext(actor=patient),
    )
    for day in (accepted_on + timedelta(days=2), accepted_on + timedelta(days=3)):
        alerts_raise_for_patient(patient=patient, today=day)
    assert DailyLog.objects.filter(patient=patient).count() == 1
    assert not Alert.objects.filter(patient=patient, kind__in=silence).exists()
