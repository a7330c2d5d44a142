"""Second factors of a customer: TOTP and recovery codes, for the account pages and activities.

One small repository so the web routes (enrol, remove, generate) and the sign-in activities (check)
share the same rules. The TOTP seed rests encrypted; recovery codes rest as keyed hashes; the
checks that must be single-use are single ``UPDATE … WHERE`` statements, so two parallel uses of
one code cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import delete, update
from sqlmodel import Session as DbSession
from sqlmodel import col, select

from core.security import recovery_codes
from core.security.totp import TotpError, TotpKeys
from core.settings import Settings
from store.db import session_for
from store.login_models import RecoveryCode, TotpFactor
from store.models import utcnow
from store.passkey_models import Passkey
from store.throttle import rows_changed

TotpVerdict = Literal["ok", "wrong", "replayed"]


class FactorStore:
    """Enrol, list, check and remove a customer's second factors."""

    def __init__(self, settings: Settings) -> None:
        self.database_url = settings.database_url
        self.totp = TotpKeys(settings.derive_key("totp-seed"))
        self.code_key = settings.derive_key("recovery-codes")

    def enrolled(self, customer_id: str) -> list[str]:
        """The factor kinds the customer can use now: ``totp``, ``passkey``, ``recovery_code``."""
        kinds: list[str] = []
        with session_for(self.database_url) as db:
            totp = db.get(TotpFactor, customer_id)
            if totp is not None and totp.confirmed_at is not None:
                kinds.append("totp")
            if db.exec(select(Passkey).where(Passkey.customer_id == customer_id)).first():
                kinds.append("passkey")
            if self._unused_codes(db, customer_id):
                kinds.append("recovery_code")
        return kinds

    # ----- TOTP ------------------------------------------------------------------------------

    def begin_totp(self, customer_id: str) -> str:
        """A new pending seed (replacing any earlier pending one); returns it for the QR code."""
        seed = TotpKeys.new_seed()
        box = self.totp.seal(seed, customer_id=customer_id)
        with session_for(self.database_url) as db:
            row = db.get(TotpFactor, customer_id)
            if row is not None and row.confirmed_at is not None:
                raise ValueError("an authenticator app is already set up; remove it first")
            if row is None:
                row = TotpFactor(customer_id=customer_id, secret_box=box)
            row.secret_box, row.last_step, row.created_at = box, 0, utcnow()
            db.add(row)
        return seed

    def pending_seed(self, customer_id: str) -> str | None:
        """The seed of an enrolment not confirmed yet (to show the QR code again)."""
        with session_for(self.database_url) as db:
            row = db.get(TotpFactor, customer_id)
        if row is None or row.confirmed_at is not None:
            return None
        return self.totp.open(row.secret_box, customer_id=customer_id)

    def confirm_totp(self, customer_id: str, code: str, *, at: datetime | None = None) -> bool:
        """Turn the pending seed on if ``code`` is right (the code is then spent)."""
        verdict = self.check_totp(customer_id, code, at=at, pending=True)
        if verdict != "ok":
            return False
        with session_for(self.database_url) as db:
            db.execute(
                update(TotpFactor)
                .where(col(TotpFactor.customer_id) == customer_id)
                .values(confirmed_at=utcnow())
            )
        return True

    def check_totp(
        self, customer_id: str, code: str, *, at: datetime | None = None, pending: bool = False
    ) -> TotpVerdict:
        """``ok`` once per time step; ``replayed`` for a right code of a step already used."""
        with session_for(self.database_url) as db:
            row = db.get(TotpFactor, customer_id)
        if row is None or (row.confirmed_at is None) != pending:
            return "wrong"
        try:
            seed = self.totp.open(row.secret_box, customer_id=customer_id)
        except TotpError:
            return "wrong"
        step = TotpKeys.matching_step(seed, code, at=at or utcnow())
        if step is None:
            return "wrong"
        with session_for(self.database_url) as db:
            claimed = db.execute(
                update(TotpFactor)
                .where(
                    col(TotpFactor.customer_id) == customer_id,
                    col(TotpFactor.last_step) < step,
                )
                .values(last_step=step)
            )
        return "ok" if rows_changed(claimed) == 1 else "replayed"

    def remove_totp(self, customer_id: str) -> None:
        """Forget the authenticator app (seed included)."""
        with session_for(self.database_url) as db:
            db.execute(delete(TotpFactor).where(col(TotpFactor.customer_id) == customer_id))

    # ----- recovery codes --------------------------------------------------------------------

    def new_recovery_codes(self, customer_id: str) -> list[str]:
        """Replace every recovery code with :data:`recovery_codes.COUNT` new ones, shown once."""
        codes = recovery_codes.new_codes()
        with session_for(self.database_url) as db:
            db.execute(delete(RecoveryCode).where(col(RecoveryCode.customer_id) == customer_id))
            for code in codes:
                db.add(
                    RecoveryCode(
                        customer_id=customer_id,
                        code_hash=recovery_codes.code_hash(self.code_key, customer_id, code),
                    )
                )
        return codes

    def recovery_codes_left(self, customer_id: str) -> int:
        """How many unused recovery codes the customer has."""
        with session_for(self.database_url) as db:
            return len(self._unused_codes(db, customer_id))

    def use_recovery_code(self, customer_id: str, typed: str) -> bool:
        """Spend one code: true only for the first use of a code that exists."""
        digest = recovery_codes.code_hash(self.code_key, customer_id, typed)
        with session_for(self.database_url) as db:
            spent = db.execute(
                update(RecoveryCode)
                .where(
                    col(RecoveryCode.customer_id) == customer_id,
                    col(RecoveryCode.code_hash) == digest,
                    col(RecoveryCode.used_at).is_(None),
                )
                .values(used_at=utcnow())
            )
        return rows_changed(spent) == 1

    def remove_recovery_codes(self, customer_id: str) -> None:
        """Forget every recovery code."""
        with session_for(self.database_url) as db:
            db.execute(delete(RecoveryCode).where(col(RecoveryCode.customer_id) == customer_id))

    @staticmethod
    def _unused_codes(db: DbSession, customer_id: str) -> list[RecoveryCode]:
        return list(
            db.exec(
                select(RecoveryCode).where(
                    RecoveryCode.customer_id == customer_id, col(RecoveryCode.used_at).is_(None)
                )
            ).all()
        )
