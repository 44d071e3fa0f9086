"""Structured logs: one JSON object per line, with pre-signed URLs redacted from every record.

Redaction does not rely on the URL keeping its exact form: besides the event's own URL (and each
secret value in it, raw and percent-encoded), it removes the value of every signing parameter
(X-Amz-Credential, X-Amz-Security-Token, X-Amz-Signature, Signature, AWSAccessKeyId, in any case)
wherever it appears: in a reformatted or percent-encoded URL, in a dict repr inside a traceback,
or after a line break.

Redaction takes time linear in the text's length however the text is crafted: a long log field
or Reason can never hold the answer past the Lambda's deadline. No pattern here rescans a run of
characters from each of its positions (tests/handler/test_handler_linear.py measures it).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import urllib.parse
from typing import Any

LOGGER_NAME = "pinpoint_email_channel"
REDACTED = "<redacted-url>"
REDACTED_VALUE = "<redacted>"
_SECRET_PARAMETERS = (
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "signature",
    "awsaccesskeyid",
)
# A pre-signed URL: a scheme (also percent-encoded), then a run of URL characters naming a signing
# parameter somewhere after the scheme; redacted from the scheme to the end of the run. Found by
# ``_redact_presigned_urls`` in one pass (a single regex with a lazy run before the parameter's
# name rescans the run from every "http" in it: quadratic on "http://http://...").
_SCHEME = re.compile(r"https?(?::|%3A)(?://|%2F%2F)", re.I)
_URL_RUN = re.compile(r"[^\s\"'<>]*")
_SIGNING_NAME = re.compile(
    r"X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId", re.I
)
# A signing parameter (or the Credential/Signature of an Authorization header), a separator however
# it is written (=, %3D, %253D, ": ", "': '", with line breaks or JSON's escaped quotes around it),
# then its value up to the next parameter or delimiter.
_SECRET_VALUE = re.compile(
    r"((?:X-Amz-(?:Signature|Credential|Security-Token)|Signature|Credential|AWSAccessKeyId)"
    r"[\s\\\"']*(?:=|:|%(?:25)?3D)[\s\\\"']*)"
    r"((?:(?!%(?:25)?26)[^&\s\"'<>,;(){}\[\]\\])+)",
    re.I,
)


def secrets_of(url: str) -> tuple[str, ...]:
    """The pieces of a pre-signed URL that must never be logged: the URL, its query, and each
    signing parameter's value, raw and percent-encoded."""
    query = url.partition("?")[2]
    pieces = [url, query]
    try:
        parameters = urllib.parse.parse_qsl(query, keep_blank_values=False)
    except ValueError:
        parameters = []
    for name, value in parameters:
        if name.lower() in _SECRET_PARAMETERS and len(value) >= 8:
            pieces += [value, urllib.parse.quote(value, safe=""), urllib.parse.quote(value)]
    return tuple(dict.fromkeys(piece for piece in pieces if piece))


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # the whole URL before its query
        if secret:
            text = text.replace(secret, REDACTED)
    text = _redact_presigned_urls(text)
    return _SECRET_VALUE.sub(lambda match: match.group(1) + REDACTED_VALUE, text)


def _redact_presigned_urls(text: str) -> str:
    """Every pre-signed URL replaced by ``REDACTED``, in time linear in ``len(text)``.

    Each character is looked at a bounded number of times: after a scheme, the scan jumps to the
    end of that run of URL characters, whether it named a signing parameter or not (a later
    scheme in the same run has the same end, and any name after it is after the first one too).
    """
    pieces: list[str] = []
    done = 0  # text[:done] is settled
    position = 0
    while True:
        scheme = _SCHEME.search(text, position)
        if scheme is None:
            break
        run = _URL_RUN.match(text, scheme.end())
        end = run.end() if run else scheme.end()
        if _SIGNING_NAME.search(text, scheme.end(), end):
            pieces += [text[done : scheme.start()], REDACTED]
            done = end
        position = max(end, scheme.end())
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _redact_fields(value: Any, secrets: tuple[str, ...]) -> Any:
    """Redact every string before JSON encoding: escapes (\\n, \\") could hide a separator."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {key: _redact_fields(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_fields(item, secrets) for item in value]
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {"level": record.levelname, "message": record.getMessage()}
        fields.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            fields["error_type"] = record.exc_info[0].__name__
            fields["traceback"] = self.formatException(record.exc_info)
        secrets: tuple[str, ...] = getattr(record, "secrets", ())
        safe = _redact_fields(fields, secrets)
        return redact(json.dumps(safe, default=lambda item: redact(str(item), secrets)), secrets)


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
