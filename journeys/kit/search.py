"""Search-attribute keys every journey keeps current, so support can filter in the Temporal UI.

Search attributes are stored in clear text and never pass the payload codec: nothing here may hold
personal data. ``EmailLookup`` is a keyed hash of the normalised email for exactly that reason.
"""

from temporalio.common import SearchAttributeKey

JOURNEY_NAME = SearchAttributeKey.for_keyword("JourneyName")
JOURNEY_STEP = SearchAttributeKey.for_keyword("JourneyStep")
JOURNEY_STATUS = SearchAttributeKey.for_keyword("JourneyStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
EMAIL_LOOKUP = SearchAttributeKey.for_keyword("EmailLookup")

ALL_KEYS = (JOURNEY_NAME, JOURNEY_STEP, JOURNEY_STATUS, CUSTOMER_ID, EMAIL_LOOKUP)


def dev_server_flags() -> list[str]:
    """``--search-attribute`` flags that register every key on a Temporal dev server."""
    flags: list[str] = []
    for key in ALL_KEYS:
        flags += ["--search-attribute", f"{key.name}=Keyword"]
    return flags
