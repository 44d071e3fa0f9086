"""Structured logs: one JSON object per line, with pre-signed URLs redacted from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

LOGGER_NAME = "pinpoint_email_channel"
_PRESIGNED_URL = re.compile(r"https?://[^\s\"']*(?:X-Amz-Signature|Signature=)[^\s\"']*", re.I)
# A signature quoted without its URL (an error message citing the query string, say).
_SIGNATURE = re.compile(r"((?:X-Amz-)?Signature=)[^&\s\"']+", re.I)
REDACTED = "<redacted-url>"


def secrets_of(url: str) -> tuple[str, ...]:
    """The pieces of a pre-signed URL that must never be logged: the URL, and its query."""
    query = url.partition("?")[2]
    return tuple(piece for piece in (url, query) if piece)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # the whole URL before its query
        if secret:
            text = text.replace(secret, REDACTED)
    text = _PRESIGNED_URL.sub(REDACTED, text)
    return _SIGNATURE.sub(lambda match: match.group(1) + REDACTED, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {"level": record.levelname, "message": record.getMessage()}
        fields.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            fields["error_type"] = record.exc_info[0].__name__
            fields["traceback"] = self.formatException(record.exc_info)
        secrets: tuple[str, ...] = getattr(record, "secrets", ())
        return redact(json.dumps(fields, default=str), secrets)


def get_logger() -> logging.Logger:
    """The handler's logger, writing JSON lines to stdout (CloudWatch Logs on Lambda).

    The stdout handler is recognised by its formatter, not by the logger having no handlers:
    a handler someone else attached (a runtime, a test harness) must not silence this one.
    """
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
