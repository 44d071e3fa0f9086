"""Minimal on_event for the custom_resources.Provider design of the benchmark.

The Provider framework's own onEvent Lambda invokes this function and answers CloudFormation,
so this handler only makes the Pinpoint call and returns the physical id and attributes.
"""

import boto3

_client = None


def _pinpoint():
    global _client
    if _client is None:
        _client = boto3.client("pinpoint")
    return _client


def on_event(event, context):
    props = event["ResourceProperties"]
    app_id = props["ApplicationId"]
    if event["RequestType"] == "Delete":
        try:
            _pinpoint().delete_email_channel(ApplicationId=app_id)
        except _pinpoint().exceptions.NotFoundException:
            pass
        return {"PhysicalResourceId": app_id}
    request = {
        "FromAddress": props["FromAddress"],
        "Identity": props["Identity"],
        "Enabled": props.get("Enabled", "true") == "true",
    }
    if props.get("ConfigurationSet"):
        request["ConfigurationSet"] = props["ConfigurationSet"]
    if props.get("RoleArn"):
        request["RoleArn"] = props["RoleArn"]
    channel = _pinpoint().update_email_channel(ApplicationId=app_id, EmailChannelRequest=request)
    response = channel["EmailChannelResponse"]
    return {
        "PhysicalResourceId": app_id,
        "Data": {"MessagesPerSecond": str(response.get("MessagesPerSecond", ""))},
    }
