"""Writes for the clinic admin: invitations, roles, activation, password resets, unlocks, care teams.

Every function is keyword-only, guards the state change it makes, and writes its audit event in the same
transaction. The admin acting is the audit context's actor (``AuditContext``). A refusal is a
``ValidationError`` with one of the messages below (the tests import them). Links in e-mails start with
``site_url`` (the view passes the address the admin is using; by default the ``SITE_URL`` setting).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import AuditAction, CareTeamMembership, Invitation, Role, User
from ..selectors.accounts import CARE_TEAM_ROLES, invitation_is_usable, token_hash
from .audit import AuditContext, audit_record, record_target
from .clinic import course_start
from .cohort import cohort_forget_patient, cohort_mark_stale
from .progress_cache import snapshot_mark_stale

logger = logging.getLogger(__name__)

ERROR_EMAIL_HAS_ACCOUNT = "An account with this e-mail address already exists."
ERROR_ALREADY_INVITED = "This address already has an invitation waiting. Resend it from the list instead."
ERROR_INVITATION_CLOSED = "This invitation has already been accepted or revoked."
ERROR_MAIL_FAILED = "The e-mail could not be sent, so nothing was saved. Please try again later."
ERROR_INVITATION_UNUSABLE = "This invitation link is no longer valid."
ERROR_USERNAME_TAKEN = "That user name is taken. Please choose another."
ERROR_OWN_ACCOUNT = "You cannot do this to your own account. Ask another clinic admin."
ERROR_SUPERUSER = "Only a superuser can change a superuser's role or deactivate them."
ERROR_ALREADY_INACTIVE = "This account is already deactivated."
ERROR_ALREADY_ACTIVE = "This account is already active."
ERROR_NO_EMAIL = "This account has no e-mail address to send a reset link to."
ERROR_INACTIVE_RESET = "Reactivate the account before sending a password reset."
ERROR_NOT_CLINICIAN = "Only an active physiotherapist or clinic admin can be on a care team."
ERROR_NOT_PATIENT = "Only active patients can be put on a care team."
ERROR_SELF_ASSIGN = "You cannot put yourself on a care team. Ask another clinic admin."
ERROR_NOT_APPROVED = (
    "This staff account is waiting for a second admin's approval. It can be put on a care team once approved."
)
ERROR_ACTOR_NOT_APPROVED = "Your own account is waiting for a second admin's approval. Ask another clinic admin."
ERROR_APPROVE_SELF = "You cannot approve your own account. Ask another clinic admin."
ERROR_APPROVE_OWN_INVITE = "You invited this account: another clinic admin (or a superuser) approves it."
ERROR_NOTHING_TO_APPROVE = "This account needs no approval."
ERROR_APPROVER = "Only a clinic admin or a superuser can approve a staff account."
ERROR_PATIENT_ONLY = "A phone number, a physiotherapist and a first course can only be set when inviting a patient."
ERROR_COURSE_INCOMPLETE = "To start a first course, give its treatment, the foot and day 0; or leave all three empty."


def _invitation_audit(*, invitation: Invitation, event: str, audit: AuditContext, patient: User | None = None) -> None:
    audit_record(
        audit=audit,
        action=AuditAction.INVITE,
        target=record_target("invitation", invitation.pk),
        patient=patient,
        detail={"event": event, "role": invitation.role},
    )


def _open_invitation_locked(invitation: Invitation) -> Invitation:
    """The invitation's row, locked; refused once it has been accepted or revoked."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError(ERROR_INVITATION_CLOSED)
    return invitation


def _site_url(site_url: str) -> str:
    """The address links start with: ``site_url``, else the SITE_URL setting; "" leaves links relative."""
    return (site_url or settings.SITE_URL).rstrip("/")


def _invitation_send(*, invitation: Invitation, token: str, site_url: str) -> None:
    context = {
        "invitation": invitation,
        "url": _site_url(site_url) + reverse("invitation_accept", kwargs={"token": token}),
        "valid_days": settings.INVITATION_VALID_DAYS,
        "expires_at": invitation.expires_at,
        "invited_by": invitation.created_by,
    }
    subject = "".join(render_to_string("email/invitation_subject.txt", context).splitlines())
    body = render_to_string("email/invitation_body.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (OSError, smtplib.SMTPException):
        # Raised inside the caller's transaction: no invitation is recorded that nobody received.
        logger.exception("Could not send the invitation e-mail")
        raise ValidationError(ERROR_MAIL_FAILED) from None


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


@transaction.atomic
def invitation_create(
    *,
    email: str,
    role: str,
    audit: AuditContext,
    site_url: str = "",
    phone: str = "",
    physio: User | None = None,
    course_kind: str = "",
    course_foot: str = "",
    course_day_zero: date | None = None,
) -> Invitation:
    """Invite ``email`` as ``role`` and e-mail them a one-time link valid for INVITATION_VALID_DAYS days.

    Only the token's SHA-256 is stored; the token itself exists only in the e-mail. A patient's invitation may
    also carry their phone number, their physiotherapist and their first course (kind, foot and day 0, all or
    none): ``invitation_accept`` sets them up, so the new patient can log from their first visit.
    """
    email = email.strip()
    phone = phone.strip()
    course = (course_kind, course_foot, course_day_zero)
    if role != Role.PATIENT and (phone or physio is not None or any(course)):
        raise ValidationError(ERROR_PATIENT_ONLY)
    if any(course) and not all(course):
        raise ValidationError(ERROR_COURSE_INCOMPLETE)
    if physio is not None:
        _check_care_team_change(physio=physio, patients=[])
        if physio.pk == audit.acting_user().pk:
            raise ValidationError(ERROR_SELF_ASSIGN)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(ERROR_EMAIL_HAS_ACCOUNT)
    now = timezone.now()
    if Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).exists():
        raise ValidationError(ERROR_ALREADY_INVITED)
    token, hashed = _new_token()
    invitation = Invitation(
        email=email,
        role=role,
        phone=phone,
        physio=physio,
        course_kind=course_kind,
        course_foot=course_foot,
        course_day_zero=course_day_zero,
        token_hash=hashed,
        created_by=audit.acting_user(),
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    _invitation_audit(invitation=invitation, event="sent", audit=audit)
    _invitation_send(invitation=invitation, token=token, site_url=site_url)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, audit: AuditContext, site_url: str = "") -> Invitation:
    """A new link with a new expiry; the old link stops working at once (its hash is replaced)."""
    invitation = _open_invitation_locked(invitation)
    token, hashed = _new_token()
    now = timezone.now()
    invitation.token_hash = hashed
    invitation.created_at = now
    invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save(update_fields=["token_hash", "created_at", "expires_at"])
    _invitation_audit(invitation=invitation, event="resent", audit=audit)
    _invitation_send(invitation=invitation, token=token, site_url=site_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, audit: AuditContext) -> Invitation:
    invitation = _open_invitation_locked(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _invitation_audit(invitation=invitation, event="revoked", audit=audit)
    return invitation


def invitation_accept(
    *,
    invitation: Invitation,
    username: str,
    first_name: str,
    last_name: str,
    password: str,
    audit: AuditContext,
) -> User:
    """Create the invitee's account with the invited role and close the invitation. Works once.

    The password has already passed Django's validators (the form checks it against the new account). The
    audit event is the new account's own: ``audit`` (a signed-out visitor) gives the address.
    """
    try:
        with transaction.atomic():
            # Locked, so two submissions of the same link cannot both create an account.
            invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if not invitation_is_usable(invitation=invitation):
                raise ValidationError(ERROR_INVITATION_UNUSABLE)
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=invitation.email,
                role=invitation.role,
                # Staff wait for a second admin's approval before any care team (``user_approve``).
                approval_required=invitation.role in CARE_TEAM_ROLES,
                phone=invitation.phone,
            )
            user.set_password(password)
            user.full_clean()
            user.save()
            invitation.accepted_at = timezone.now()
            invitation.user = user
            invitation.save(update_fields=["accepted_at", "user"])
            _invitation_audit(
                invitation=invitation,
                event="accepted",
                audit=audit.with_actor(user),
                patient=user if user.is_patient else None,
            )
            if user.is_patient:
                _invited_patient_set_up(invitation=invitation, patient=user)
    except IntegrityError:
        # Another account took the user name between the form's check and the insert.
        raise ValidationError({"username": ERROR_USERNAME_TAKEN}) from None
    return user


def _invited_patient_set_up(*, invitation: Invitation, patient: User) -> None:
    """What the admin chose at invitation: the physiotherapist and the first course. Audited as the inviting
    admin's doing (no address: they are not the one connecting). A physiotherapist no longer active by then is
    skipped (the patient is still created; an admin puts someone on the care team)."""
    inviter = invitation.created_by
    done_by = AuditContext(actor=inviter) if inviter is not None else AuditContext.for_command("invitation")
    if invitation.physio is not None and inviter is not None:
        try:
            care_team_assign(physio=invitation.physio, patients=[patient], audit=done_by)
        except ValidationError:
            logger.warning(
                "invitation %s: physiotherapist %s can no longer be assigned", invitation.pk, invitation.physio_id
            )
    if invitation.course_kind and invitation.course_foot and invitation.course_day_zero:
        course_start(
            patient=patient,
            kind=invitation.course_kind,
            foot=invitation.course_foot,
            day_zero=invitation.course_day_zero,
            audit=done_by,
        )


def _account_target(user: User) -> str:
    return f"account {user.username}"


def check_actor_approved(actor: User) -> None:
    """An admin waiting for approval grants no clinical access (care teams, roles, approvals, device resets)."""
    if not actor.is_approved:
        raise ValidationError(ERROR_ACTOR_NOT_APPROVED)


@transaction.atomic
def user_approve(*, user: User, audit: AuditContext) -> User:
    """Approve a staff account made from an invitation (or given a staff role), so it can join care teams.

    A second person approves: never the account itself, nor the admin who invited it. In a clinic with one
    admin, a superuser does it. The approver's own account must be approved.
    """
    actor = audit.acting_user()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.approval_required or user.approved_at is not None:
        raise ValidationError(ERROR_NOTHING_TO_APPROVE)
    if actor.pk == user.pk:
        raise ValidationError(ERROR_APPROVE_SELF)
    if not actor.is_superuser:
        if actor.role != Role.ADMIN or not actor.is_active:
            raise ValidationError(ERROR_APPROVER)
        check_actor_approved(actor)
        if Invitation.objects.filter(user=user, created_by=actor).exists():
            raise ValidationError(ERROR_APPROVE_OWN_INVITE)
    user.approved_at = timezone.now()
    user.approved_by = actor
    user.save(update_fields=["approved_at", "approved_by"])
    audit_record(
        audit=audit,
        action=AuditAction.ACCOUNT,
        target=_account_target(user),
        detail={"event": "approved", "user": user.username},
    )
    return user


def _check_may_change(*, user: User, actor: User) -> None:
    """No admin locks themselves out, and a clinic admin cannot take a superuser's access away."""
    if user.pk == actor.pk:
        raise ValidationError(ERROR_OWN_ACCOUNT)
    if user.is_superuser and not actor.is_superuser:
        raise ValidationError(ERROR_SUPERUSER)


def _patient_or_none(user: User) -> User | None:
    return user if user.is_patient else None


@transaction.atomic
def user_change_role(*, user: User, role: str, audit: AuditContext) -> User:
    """Give ``user`` another role; it applies from their next request.

    Care-team links that no longer fit are taken off (and audited): a former patient is no longer on a
    caseload, and someone who becomes a patient no longer looks after anyone.
    """
    actor = audit.acting_user()
    _check_may_change(user=user, actor=actor)
    check_actor_approved(actor)
    old_role = user.role
    if role == old_role:
        return user
    user.role = role
    # Every session of the account ends (tracker.middleware): the old role's pages close at once.
    user.session_generation += 1
    fields = ["role", "session_generation"]
    if role in CARE_TEAM_ROLES and old_role not in CARE_TEAM_ROLES and not user.is_superuser:
        # A new staff account this way, like one from an invitation, waits for a second admin's approval.
        user.approval_required, user.approved_at, user.approved_by = True, None, None
        fields += ["approval_required", "approved_at", "approved_by"]
    user.full_clean()
    user.save(update_fields=fields)
    snapshot_mark_stale([user.pk])
    audit_record(
        audit=audit,
        action=AuditAction.ROLE_CHANGE,
        target=_account_target(user),
        patient=user if Role.PATIENT in (old_role, role) else None,
        detail={"from": old_role, "to": role},
    )
    # The cohort band counts patients only: a former patient leaves it now, a new one joins at the next rebuild.
    if old_role == Role.PATIENT:
        cohort_forget_patient(user)
    elif role == Role.PATIENT:
        cohort_mark_stale(user)
    stale = CareTeamMembership.objects.none()
    if old_role == Role.PATIENT:
        stale = CareTeamMembership.objects.filter(patient=user)
    elif role not in CARE_TEAM_ROLES:
        stale = CareTeamMembership.objects.filter(physio=user)
    for link in stale.select_related("patient", "physio"):
        _care_team_link_delete(link=link, audit=audit, reason="role change")
    return user


def _user_set_active(*, user: User, active: bool, audit: AuditContext) -> User:
    """Deactivate or reactivate, with the same guard both ways: no admin changes their own account, and a
    clinic admin changes no superuser's access (taking it away or giving it back)."""
    actor = audit.acting_user()
    _check_may_change(user=user, actor=actor)
    if active:
        check_actor_approved(actor)  # a reactivation gives access back
    if user.is_active == active:
        raise ValidationError(ERROR_ALREADY_ACTIVE if active else ERROR_ALREADY_INACTIVE)
    user.is_active = active
    # Every session of the account ends (tracker.middleware), so a cookie from before a deactivation does not
    # work again after a reactivation.
    user.session_generation += 1
    user.save(update_fields=["is_active", "session_generation"])
    snapshot_mark_stale([user.pk])
    # The cohort band counts active patients: a deactivated one leaves it at once, a reactivated one is back
    # when their kinds are next read.
    if active:
        cohort_mark_stale(user)
    else:
        cohort_forget_patient(user)
    audit_record(
        audit=audit,
        action=AuditAction.ACCOUNT,
        target=_account_target(user),
        patient=_patient_or_none(user),
        detail={"event": "reactivated" if active else "deactivated"},
    )
    return user


@transaction.atomic
def user_deactivate(*, user: User, audit: AuditContext) -> User:
    """The account can no longer sign in, and an open session stops working at its next request.

    Nothing else changes: the patient's data and care team stay, so reactivating restores everything.
    """
    return _user_set_active(user=user, active=False, audit=audit)


@transaction.atomic
def user_reactivate(*, user: User, audit: AuditContext) -> User:
    return _user_set_active(user=user, active=True, audit=audit)


class _OneAccountPasswordResetForm(PasswordResetForm):
    """Django's reset e-mail, sent to exactly one account (not every account sharing the address)."""

    def __init__(self, *args: Any, account: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def get_users(self, email: str) -> Iterable[User]:
        return [self.account] if self.account.is_active and self.account.has_usable_password() else []


def user_send_password_reset(*, user: User, audit: AuditContext, site_url: str = "") -> None:
    """E-mail ``user`` Django's one-time link to choose a new password (valid PASSWORD_RESET_TIMEOUT)."""
    site = urlsplit(_site_url(site_url))
    if not site.netloc:
        raise ValueError("a password reset link needs the site's address: pass site_url or set SITE_URL")
    if not user.is_active:
        raise ValidationError(ERROR_INACTIVE_RESET)
    if not user.email:
        raise ValidationError(ERROR_NO_EMAIL)
    form = _OneAccountPasswordResetForm(data={"email": user.email}, account=user)
    if not form.is_valid():
        raise ValidationError(ERROR_NO_EMAIL)
    # The e-mail names the site by its host, as Django does from a request when the sites framework is off.
    form.save(domain_override=site.netloc, use_https=site.scheme == "https")
    audit_record(
        audit=audit,
        action=AuditAction.ACCOUNT,
        target=_account_target(user),
        patient=_patient_or_none(user),
        detail={"event": "password reset sent"},
    )


@transaction.atomic
def user_unlock(*, user: User, audit: AuditContext) -> int:
    """Clear django-axes' failed sign-ins for ``user``'s name from every address; returns how many."""
    cleared: int = axes_reset(username=user.username)  # django-axes ships no types: it returns the count
    audit_record(
        audit=audit,
        action=AuditAction.UNLOCK,
        target=_account_target(user),
        patient=_patient_or_none(user),
        detail={"records_cleared": cleared},
    )
    return cleared


def _care_team_link_delete(*, link: CareTeamMembership, audit: AuditContext, reason: str) -> None:
    audit_record(
        audit=audit,
        action=AuditAction.CARE_TEAM_REMOVE,
        target=f"care team: {link.physio.username} off {link.patient.username}",
        patient=link.patient,
        detail={"physio": link.physio.username, "reason": reason},
    )
    link.delete()
    snapshot_mark_stale([link.patient_id])


def _check_care_team_change(*, physio: User, patients: list[User]) -> None:
    if physio.role not in CARE_TEAM_ROLES or not physio.is_active:
        raise ValidationError(ERROR_NOT_CLINICIAN)
    if any(p.role != Role.PATIENT or not p.is_active for p in patients):
        raise ValidationError(ERROR_NOT_PATIENT)


@transaction.atomic
def care_team_assign(*, physio: User, patients: Iterable[User], audit: AuditContext) -> list[CareTeamMembership]:
    """Put ``physio`` on each patient's care team; patients already on it are left alone.

    Returns the new links. Takes effect on the next request: scoping reads the links every time.
    An admin cannot add themselves (another admin must), so reading clinical data is never self-granted.
    """
    patients = list(patients)
    _check_care_team_change(physio=physio, patients=patients)
    actor = audit.acting_user()
    if physio.pk == actor.pk:
        raise ValidationError(ERROR_SELF_ASSIGN)
    check_actor_approved(actor)
    if not physio.is_approved:
        raise ValidationError(ERROR_NOT_APPROVED)
    existing = set(
        CareTeamMembership.objects.filter(physio=physio, patient__in=patients).values_list("patient_id", flat=True)
    )
    created = []
    for patient in patients:
        if patient.pk in existing:
            continue
        link = CareTeamMembership(patient=patient, physio=physio, created_by=actor)
        link.full_clean()
        try:
            with transaction.atomic():
                link.save()
        except IntegrityError:
            # Another admin made the same assignment at the same moment: it is already assigned.
            continue
        audit_record(
            audit=audit,
            action=AuditAction.CARE_TEAM_ADD,
            target=f"care team: {physio.username} on {patient.username}",
            patient=patient,
            detail={"physio": physio.username},
        )
        created.append(link)
    snapshot_mark_stale([link.patient_id for link in created])
    return created


@transaction.atomic
def care_team_remove(*, physio: User, patients: Iterable[User], audit: AuditContext) -> int:
    """Take ``physio`` off each patient's care team; returns how many links were removed."""
    patients = list(patients)
    links = CareTeamMembership.objects.filter(physio=physio, patient__in=patients).select_related("patient", "physio")
    removed = 0
    for link in links:
        _care_team_link_delete(link=link, audit=audit, reason="taken off by an admin")
        removed += 1
    return removed
