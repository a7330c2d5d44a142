"""A consent receipt in the Kantara Initiative Consent Receipt Specification v1.1 shape.

The receipt lists the purposes the customer has granted now (the newest record of each), with the
fields the specification makes mandatory. The principal is identified by the customer id, not the
email, to keep personal data in the file minimal.
"""

from __future__ import annotations

import uuid
from typing import Any

from contracts.consents import CATALOGUE
from store.models import ConsentRecord

SPEC_VERSION = "KI-CR-v1.1.0"
CONTROLLER = "Threshold"
JURISDICTION = "EU"
LANGUAGE = "en"
#: Namespace for receipt ids: the same consent state always yields the same receipt id.
RECEIPT_NAMESPACE = uuid.UUID("6f4b7e8a-0c1d-4a57-9d0e-5b8b7f3c2a10")


def receipt(*, customer_id: str, state: dict[str, ConsentRecord], base_url: str) -> dict[str, Any]:
    """The receipt for ``state`` (the customer's newest record per purpose)."""
    granted = [r for r in state.values() if r.granted]
    newest = max((r.at for r in state.values()), default=None)
    last_id = max((r.id or 0 for r in state.values()), default=0)
    return {
        "version": SPEC_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(newest.timestamp()) if newest else 0,
        "collectionMethod": ", ".join(sorted({r.channel for r in granted})) or "none",
        "consentReceiptID": str(uuid.uuid5(RECEIPT_NAMESPACE, f"{customer_id}:{last_id}")),
        "language": LANGUAGE,
        "piiPrincipalId": customer_id,
        "piiControllers": [
            {
                "piiController": CONTROLLER,
                "contact": "Privacy team",
                "address": {},
                "email": "",
                "phone": "",
                "piiControllerUrl": base_url,
            }
        ],
        "policyUrl": f"{base_url}/account/consents",
        "services": [{"service": CONTROLLER, "purposes": [_purpose(r) for r in _ordered(granted)]}],
        "sensitive": False,
        "spiCat": [],
    }


def _ordered(records: list[ConsentRecord]) -> list[ConsentRecord]:
    return sorted(records, key=lambda r: (r.purpose not in CATALOGUE, r.purpose))


def _purpose(record: ConsentRecord) -> dict[str, Any]:
    known = CATALOGUE.get(record.purpose)
    return {
        "purpose": known.text if known else record.purpose,
        "purposeCategory": [known.category if known else "Core Function"],
        "consentType": "EXPLICIT",
        "piiCategory": list(known.pii) if known else [],
        "primaryPurpose": bool(known and known.required),
        "termination": "Until withdrawn on the account's consent page",
        "thirdPartyDisclosure": bool(known and known.third_party),
        "thirdPartyName": known.third_party if known else "",
        # Not in the specification's field list; extensions are allowed and help the customer.
        "purposeName": record.purpose,
        "purposeVersion": record.version,
        "grantedAt": record.at.isoformat(),
    }
