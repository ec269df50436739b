from __future__ import annotations

from goodwill.accounts.password_reset import send_password_reset_mail
from goodwill.core.tasks import retrying_task


@retrying_task(max_attempts=4)
def send_password_reset(address: str) -> None:
    send_password_reset_mail(address)
