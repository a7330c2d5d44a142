"""Every ``workflow.patched`` id of every journey, in one place.

A patch id marks where a journey started to issue new commands: runs recorded before it replay
without them, runs after it take them. An id is therefore forever: never rename or reuse one, and
remove one only once no history that lacks it can still be replayed (docs/authoring.md). Journeys
import these constants instead of spelling ids, so the list of what changed and when is here.
"""

from __future__ import annotations

#: ``outbox.emit``: journeys write their events (login.succeeded, ...) through the outbox activity.
EVENTS_OUTBOX = "events-outbox"
#: Login asks an account scheduled for deletion whether to keep it, right after the first factor.
DEPROVISIONING_GATE = "deprovisioning-gate"
#: Registration records catalogue purposes and emits consent.changed; login asks re-consent.
CONSENT_CATALOGUE = "consent-catalogue"
#: Login shows the progressive-profiling interstitial after a successful sign-in.
PROGRESSIVE_PROFILING = "progressive-profiling"
#: An OpenID relying party's ``acr_values=aal2`` makes login ask a second factor, whatever risk.
OIDC_ACR = "oidc-acr"
#: Login sends a work email (its domain owned by an organization) to that organization's provider.
HOME_REALM_DISCOVERY = "home-realm-discovery"
#: Registration's "Create your passkey" screen offers "Use a password instead" (then asks one).
PASSKEY_PASSWORD_FALLBACK = "passkey-password-fallback"
#: Activities declared ``local`` in contracts run as local activities (journeys/kit/activities.py).
LOCAL_ACTIVITIES = "local-activities"
#: Login remembers a device that passed a second factor (risk.bind_device): a known device.
KNOWN_DEVICES = "known-devices"
#: Registration records the new customer's browser as the risk baseline (risk.cold_start).
RISK_COLD_START = "risk-cold-start"
#: Change email and change password emit ``customer.email_changed`` / ``customer.password_changed``
#: (the undo window emits ``customer.email_changed`` again when it puts the old address back).
ACCOUNT_CHANGE_EVENTS = "account-change-events"
#: ``Journey.show`` makes the shown screen the journey's ``JourneyStep`` (and status), like ``ask``.
SHOWN_STEP = "shown-step"
#: Login gathers its decision's facts (deletion gate, factors, risk and its record, consents,
#: profiling) in one local activity, ``sign_in.gather``, instead of a step for each.
SIGN_IN_GATHER = "sign-in-gather"
#: Registration creates the customer with its consents, audit and outbox events in one
#: transaction of one local activity (``registration.create``), the risk baseline with them.
REGISTRATION_AT_ONCE = "registration-at-once"
#: ``verification.check_code`` / ``check_link`` run as local activities (each check answered once).
LOCAL_CHECKS = "local-checks"
