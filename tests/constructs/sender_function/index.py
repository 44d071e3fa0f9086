from constructs_pinpoint.sending import EmailMessage, sender_from_environment


def handler(event, context):  # type: ignore[no-untyped-def]
    sender = sender_from_environment()
    message = EmailMessage(
        subject="Order {{Id}}", text_body="Thanks", substitutions={"Id": [event["id"]]}
    )
    return [result.status.value for result in sender.send_to_addresses(message, [event["to"]])]
