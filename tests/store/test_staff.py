"""Staff accounts on SQLite and PostgreSQL: TOTP is mandatory, single use, throttled, encrypted."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session

from core.settings import Settings
from store.db import engine_for
from store.models import AuditEvent
from store.staff import LoginRefused, StaffDirectory, StaffError
from store.staff_models import StaffMember, StaffSession
from tests.support.staff import add_staff
from tests.support.store import one, rows


def email() -> str:
    return f"staff-{uuid.uuid4().hex[:8]}@example.com"


def test_totp_secret_and_password_are_never_stored_in_clear(db_settings: Settings) -> None:
    staff = add_staff(db_settings, email(), "admin")

    with Session(engine_for(db_settings.database_url)) as db:
        cells = [str(c) for row in db.execute(sa_select(StaffMember.__table__)).all() for c in row]
    assert not any(staff.secret in cell for cell in cells)
    assert not any(staff.created.password in cell for cell in cells)
    member = one(db_settings, StaffMember, id=staff.id)
    assert member.password_hash.startswith("$argon2id$")
    assert StaffDirectory(db_settings).totp.open(member.totp_box, staff_id=staff.id) == staff.secret


def test_sign_in_needs_password_and_a_fresh_code(db_settings: Settings) -> None:
    staff = add_staff(db_settings, email())
    directory = StaffDirectory(db_settings)
    address, password = staff.created.email, staff.created.password
    first, second = staff.code(), staff.code(1)  # both stay valid for at least 30 s

    with pytest.raises(LoginRefused):
        directory.authenticate(address, "not the password", first)
    with pytest.raises(LoginRefused):
        directory.authenticate(address, password, "000000" if first != "000000" else "111111")
    assert directory.authenticate(address.upper(), password, first).id == staff.id
    with pytest.raises(LoginRefused) as replayed:
        directory.authenticate(address, password, first)  # the same code, again
    assert replayed.value.code == "wrong"
    assert directory.authenticate(address, password, second).id == staff.id

    kinds = [e.kind for e in rows(db_settings, AuditEvent)]
    assert kinds.count("staff.signed_in") == 2 and kinds.count("staff.sign_in_refused") == 3


def test_five_failures_lock_the_account_even_for_the_right_answer(db_settings: Settings) -> None:
    staff = add_staff(db_settings, email())
    directory = StaffDirectory(db_settings)
    for _ in range(StaffDirectory.MAX_FAILURES):
        with pytest.raises(LoginRefused):
            directory.authenticate(staff.created.email, "wrong password", staff.code())

    with pytest.raises(LoginRefused) as locked:
        directory.authenticate(staff.created.email, staff.created.password, staff.code())
    assert locked.value.code == "locked" and "Try again in" in locked.value.message


def test_unknown_email_and_bad_input_are_refused_the_same_way(db_settings: Settings) -> None:
    directory = StaffDirectory(db_settings)
    for address in ("nobody@example.com", "not an email"):
        with pytest.raises(LoginRefused) as refused:
            directory.authenticate(address, "whatever-password", "123456")
        assert refused.value.message == "Email, password or code is not right."
    with pytest.raises(StaffError):
        directory.add(email(), "root")
    staff = add_staff(db_settings, email())
    with pytest.raises(StaffError):
        directory.add(staff.created.email, "support")


def test_sessions_and_tokens_are_hashed_and_revocable(db_settings: Settings) -> None:
    staff = add_staff(db_settings, email(), "admin")
    directory = StaffDirectory(db_settings)
    session_id = directory.issue(staff.id)
    token = directory.issue_token(staff.created.email, days=2)

    loaded = directory.load(session_id)
    assert loaded is not None and loaded.staff.id == staff.id
    assert directory.load(token) is not None
    stored = {s.id_hash for s in rows(db_settings, StaffSession, staff_id=staff.id)}
    assert session_id not in stored and token not in stored and len(stored) == 2

    directory.revoke(session_id)
    assert directory.load(session_id) is None
    assert directory.load("made-up") is None
    with pytest.raises(StaffError):
        directory.issue_token(staff.created.email, days=365)
