"""Lambda source of ``Custom::PinpointEmailChannel``.

Runs on the Lambda Python runtime with the standard library and the runtime's boto3 only; it
imports no CDK. The entry point is ``handler.entry.on_event``.
"""
