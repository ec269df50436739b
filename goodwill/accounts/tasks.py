"""Background work for accounts. The task lives beside the code that enqueues it."""

from __future__ import annotations

from goodwill.accounts.notifications import mail_notification
from goodwill.accounts.password_reset import send_password_reset

__all__ = ["mail_notification", "send_password_reset"]
