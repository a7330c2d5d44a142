"""Staff accounts on SQLite and PostgreSQL: TOTP is mandatory, single use, throttled, encrypted."""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session

from core.settings import Settings
from store.db import engine_for
from store.models import AuditEvent
from store.staff import LoginRefused, StaffDirectory, StaffError
from store.staff_models import StaffMember, StaffSession
from store.throttle import ACCOUNT
from tests.support.staff import add_staff
from tests.support.store import one, rows

BOT = "203.0.113.13"
DESK = "198.51.100.13"


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


def test_five_failures_lock_unknown_devices_even_for_the_right_answer(
    db_settings: Settings,
) -> None:
    staff = add_staff(db_settings, email())
    directory = StaffDirectory(db_settings)
    for _ in range(ACCOUNT.free_failures):
        with pytest.raises(LoginRefused):
            directory.authenticate(staff.created.email, "wrong password", staff.code())

    with pytest.raises(LoginRefused) as locked:
        directory.authenticate(staff.created.email, staff.created.password, staff.code())
    assert locked.value.code == "locked" and "Try again in" in locked.value.message


def refusals(directory: StaffDirectory, address: str, code: str, count: int) -> list[str]:
    """``count`` parallel wrong passwords, each from an unknown device; the refusal codes."""

    def one(i: int) -> str:
        try:
            directory.authenticate(address, f"guess-{i}", code, device=f"bot-{i}", client_ip=BOT)
        except LoginRefused as refused:
            return refused.code
        return "signed-in"

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_twenty_parallel_wrong_passwords_check_exactly_the_limit(db_settings: Settings) -> None:
    """Finding 2: the count is a compare-and-set, so no parallel attempt slips past it."""
    staff = add_staff(db_settings, email())
    directory = StaffDirectory(db_settings)

    codes = refusals(directory, staff.created.email, staff.code(), 20)

    assert codes.count("wrong") == ACCOUNT.free_failures
    assert codes.count("locked") == 20 - ACCOUNT.free_failures
    refused = [e for e in rows(db_settings, AuditEvent) if e.kind == "staff.sign_in_refused"]
    assert len(refused) == ACCOUNT.free_failures


def test_an_unknown_email_is_throttled_and_answered_like_a_real_one(
    db_settings: Settings,
) -> None:
    """Finding 3: a 429 after five tries no longer tells a real staff email from a made-up one."""
    staff = add_staff(db_settings, email())
    directory = StaffDirectory(db_settings)

    real = refusals(directory, staff.created.email, "123456", 8)
    ghost = refusals(directory, email(), "123456", 8)

    assert sorted(real) == sorted(ghost) == ["locked"] * 3 + ["wrong"] * 5


@pytest.mark.usefixtures("real_hashing_cost")
def test_known_and_unknown_emails_take_the_same_time(db_settings: Settings) -> None:
    staff = add_staff(db_settings, email())
    directory = StaffDirectory(db_settings)
    timings: dict[str, list[float]] = {"real": [], "ghost": [], "real-locked": []}
    for _ in range(ACCOUNT.free_failures + 2):
        for name, address in (("real", staff.created.email), ("ghost", email())):
            began = time.perf_counter()
            with pytest.raises(LoginRefused):
                directory.authenticate(address, "wrong", "123456", client_ip="192.0.2.200")
            timings[name if name == "ghost" else "real"].append(time.perf_counter() - began)
    for _ in range(3):
        began = time.perf_counter()
        with pytest.raises(LoginRefused):
            directory.authenticate(staff.created.email, "wrong", "123456")
        timings["real-locked"].append(time.perf_counter() - began)

    medians = [statistics.median(t) for t in timings.values()]
    # Every path verifies one argon2 hash; a locked known email no longer answers in 4 ms.
    assert max(medians) < 3 * min(medians), timings


def test_a_known_device_signs_in_while_the_account_is_attacked(db_settings: Settings) -> None:
    """Finding 3: the owner's browser keeps its own allowance (OWASP device-cookie lockout)."""
    staff = add_staff(db_settings, email())
    directory = StaffDirectory(db_settings)
    address, password = staff.created.email, staff.created.password
    directory.authenticate(address, password, staff.code(), device="desk", client_ip=DESK)
    refusals(directory, address, "123456", 20)
    with pytest.raises(LoginRefused) as elsewhere:
        directory.authenticate(address, password, staff.code(1), device="new", client_ip=DESK)
    assert elsewhere.value.code == "locked"

    member = directory.authenticate(address, password, staff.code(1), device="desk", client_ip=DESK)

    assert member.id == staff.id


def test_the_initial_password_must_be_replaced_once(db_settings: Settings) -> None:
    staff = add_staff(db_settings, email(), replaced=False)
    directory = StaffDirectory(db_settings)
    assert directory.must_replace_password(staff.id)
    pending = directory.issue(staff.id, kind=StaffDirectory.PENDING)
    assert directory.load(pending) is None
    assert directory.load(pending, pending=True) is not None

    for weak, why in (
        ("aaaaaaaaaaaa", "too easy to guess"),
        (staff.created.password, "different from the current one"),
        ("short", "at least 8"),
    ):
        with pytest.raises(StaffError, match=why):
            directory.replace_password(staff.id, weak)
    assert directory.must_replace_password(staff.id)
    directory.replace_password(staff.id, "violet-tractor-harbour")

    assert not directory.must_replace_password(staff.id)
    assert directory.authenticate(staff.created.email, "violet-tractor-harbour", staff.code())


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
