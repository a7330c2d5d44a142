"""Passkeys (WebAuthn) verified with duo-labs' ``webauthn``: one ceremony per module.

* :mod:`.relying_party` – who we are to the browser (RP id and origin from ``THRESHOLD_BASE_URL``).
* :mod:`.challenges` – a ceremony's challenge is bound to one journey, expires and is spent once.
* :mod:`.registration` – options for ``navigator.credentials.create`` and checking its answer.
* :mod:`.authentication` – options for ``navigator.credentials.get`` and checking its answer.
* :mod:`.errors` – what went wrong, as a short code and a sentence for the customer.
"""
