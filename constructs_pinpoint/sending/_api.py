"""Calls an AWS operation and turns botocore failures into library exceptions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from botocore.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    BotoCoreError,
    ClientError,
    HTTPClientError,
)
from botocore.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    ConnectionError as BotoConnectionError,
)

from .errors import (
    EmailApiError,
    PermanentEmailApiError,
    RetryableEmailApiError,
    is_retryable_error_code,
)
from .results import DeliveryResult, SendReport
from .types import DeliveryBackend

__all__ = ["call_api"]


def call_api(
    call: Callable[[], Any],
    *,
    backend: DeliveryBackend,
    operation: str,
    completed: Sequence[DeliveryResult],
    unsent: Sequence[str],
) -> Mapping[str, Any]:
    """Run ``call`` and return its response.

    ``completed`` and ``unsent`` describe the progress of a multi-call send,
    for the exception raised if this call fails.
    """
    try:
        response = call()
    except ClientError as exc:
        raise _from_client_error(exc, backend, operation, completed, unsent) from exc
    except (BotoCoreError, ValueError, TypeError) as exc:
        # Below HTTP: connection failures and timeouts can succeed later; missing credentials,
        # parameter validation, and the plain ValueErrors botocore raises for configuration
        # problems found at call time (an endpoint it cannot use) cannot.
        retryable = isinstance(exc, BotoConnectionError | HTTPClientError)
        raise _api_error(
            retryable,
            backend=backend,
            operation=operation,
            code=type(exc).__name__,
            message=str(exc),
            http_status=None,
            request_id=None,
            completed=completed,
            unsent=unsent,
        ) from exc
    if not isinstance(response, Mapping):
        raise _api_error(
            False,
            backend=backend,
            operation=operation,
            code="InvalidResponse",
            message=f"the client returned a {type(response).__name__}, not a mapping",
            http_status=None,
            request_id=None,
            completed=completed,
            unsent=unsent,
        )
    return response


def _from_client_error(
    exc: Any,
    backend: DeliveryBackend,
    operation: str,
    completed: Sequence[DeliveryResult],
    unsent: Sequence[str],
) -> EmailApiError:
    response = exc.response if isinstance(exc.response, Mapping) else {}
    error = response.get("Error") or {}
    metadata = response.get("ResponseMetadata") or {}
    code = str(error.get("Code") or "Unknown")
    message = str(error.get("Message") or "")
    status = metadata.get("HTTPStatusCode")
    http_status = status if isinstance(status, int) else None
    request_id = metadata.get("RequestId") or None
    return _api_error(
        is_retryable_error_code(code, http_status),
        backend=backend,
        operation=operation,
        code=code,
        message=message,
        http_status=http_status,
        request_id=str(request_id) if request_id else None,
        completed=completed,
        unsent=unsent,
    )


def _api_error(
    retryable: bool,
    *,
    backend: DeliveryBackend,
    operation: str,
    code: str,
    message: str,
    http_status: int | None,
    request_id: str | None,
    completed: Sequence[DeliveryResult],
    unsent: Sequence[str],
) -> EmailApiError:
    cls = RetryableEmailApiError if retryable else PermanentEmailApiError
    return cls(
        backend=backend,
        operation=operation,
        code=code,
        message=message,
        http_status=http_status,
        request_id=request_id,
        retryable=retryable,
        completed=SendReport(tuple(completed), backend),
        unsent=tuple(unsent),
    )
