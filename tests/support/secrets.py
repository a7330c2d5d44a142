"""The secrets scan: every history (as stored and decoded), every table cell, searched for secrets.

Shared by the "no secret in the clear" tests and by ``bench/chaos.py``, which runs the same scan
over every history of a run after killing every process in the middle of the journeys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from google.protobuf.message import Message
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from core.codec import EncryptionCodec
from core.settings import Settings
from store.db import engine_for


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every Payload nested anywhere in a protobuf message (fields, lists and maps)."""
    for descriptor, value in message.ListFields():
        if descriptor.type != descriptor.TYPE_MESSAGE:
            continue
        if descriptor.message_type is not None and descriptor.message_type.GetOptions().map_entry:
            items = list(value.values())
        elif isinstance(value, Message):
            items = [value]
        else:
            items = list(value)  # a repeated field
        for item in items:
            if isinstance(item, Payload):
                yield item
            if isinstance(item, Message):
                yield from payloads_in(item)


async def history_texts(
    client: Client, keyring: dict[str, bytes], query: str, *, metadata: bool = False
) -> list[str]:
    """Each history matching ``query`` twice: as stored (encrypted) and every payload decoded.

    ``metadata`` adds every decoded payload's metadata values (encoding, message type).
    """
    codec = EncryptionCodec(keyring)
    texts: list[str] = []
    async for execution in client.list_workflows(query):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        history = await handle.fetch_history()
        texts.append(history.to_json())
        for event in history.events:
            for payload in payloads_in(event):
                [decoded] = await codec.decode([payload])
                texts.append(decoded.data.decode("utf-8", "replace"))
                if metadata:
                    texts.extend(str(v) for v in decoded.metadata.values())
    return texts


def table_texts(settings: Settings) -> list[str]:
    """Every cell of every table of the system of record."""
    texts: list[str] = []
    with Session(engine_for(settings.database_url)) as db:
        for table in SQLModel.metadata.sorted_tables:
            for row in db.execute(sa_select(table)).all():
                texts.extend(str(cell) for cell in row)
    return texts


def occurs(secret: str, texts: Iterable[str]) -> bool:
    """Whether ``secret`` appears; digits-only secrets must stand alone (not inside a number)."""
    if secret.isdigit():
        pattern = re.compile(rf"(?<![\d.]){re.escape(secret)}(?!\d)")
        return any(pattern.search(t) for t in texts)
    return any(secret in t for t in texts)
