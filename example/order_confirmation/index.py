"""Order confirmation Lambda: sends through whatever backend the channel wired (Pinpoint or SES
v2). This code never changes when the backend does; only the environment and grants do."""

from __future__ import annotations

from typing import Any

from constructs_pinpoint.sending import EmailMessage, EmailSender, sender_from_environment

_sender: EmailSender | None = None


def confirmation(order_id: str) -> EmailMessage:
    return EmailMessage(
        subject="Your order {{OrderId}} is confirmed",
        html_body="<p>Thank you! Order <b>{{OrderId}}</b> is confirmed.</p>",
        text_body="Thank you! Order {{OrderId}} is confirmed.",
        substitutions={"OrderId": [order_id]},
    )


def handler(event: dict[str, Any], context: Any) -> list[dict[str, Any]]:
    global _sender
    if _sender is None:
        _sender = sender_from_environment()
    report = _sender.send_to_addresses(confirmation(str(event["order_id"])), [event["email"]])
    return [
        {
            "recipient": result.recipient,
            "status": result.status.value,
            "retryable": result.retryable,
            "message_id": result.message_id,
        }
        for result in report
    ]
