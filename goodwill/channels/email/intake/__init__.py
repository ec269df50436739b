"""The inbound email pipeline: store raw (committed) → parse → de-duplicate → thread → append.

Every door (ingest-email, smtpd, fetchmail) calls `store_raw` and commits before it
acknowledges anything, then `process_raw` (idempotent: a processed RawEmail is left
alone, and the MessageKey constraint stops doubles even under races). What cannot be
taken in is quarantined with its reason; nothing is dropped.

Modules, bottom up: storage (raw bytes), directory (mailboxes, teams, senders read once per
batch), rows (final states, details, identity keys), quarantine, acknowledge, bounces,
pipeline (one message), bulk (plain messages written together), batches (the doors' entry
points), release (the admin's quarantine actions).
"""

from goodwill.channels.email.identities import clear_failing
from goodwill.channels.email.intake.acknowledge import ACK_QUIET_PERIOD, acknowledgement_address
from goodwill.channels.email.intake.batches import (
    Envelope,
    Summary,
    ingest_many,
    process_batch,
    process_pending,
    store_batch,
)
from goodwill.channels.email.intake.directory import (
    DEFAULT_SENDER_LIMIT,
    base_address,
    mailbox_for_addresses,
    sender_over_limit,
)
from goodwill.channels.email.intake.pipeline import process_raw
from goodwill.channels.email.intake.release import (
    delete_quarantined,
    release_quarantined,
    retry_quarantined,
)
from goodwill.channels.email.intake.rows import Outcome
from goodwill.channels.email.intake.storage import (
    max_message_bytes,
    printable,
    raw_name,
    read_raw,
    store_raw,
)

__all__ = [
    "ACK_QUIET_PERIOD",
    "DEFAULT_SENDER_LIMIT",
    "Envelope",
    "Outcome",
    "Summary",
    "acknowledgement_address",
    "base_address",
    "clear_failing",
    "delete_quarantined",
    "ingest_many",
    "mailbox_for_addresses",
    "max_message_bytes",
    "printable",
    "process_batch",
    "process_pending",
    "process_raw",
    "raw_name",
    "read_raw",
    "release_quarantined",
    "retry_quarantined",
    "store_batch",
    "sender_over_limit",
    "store_raw",
]
