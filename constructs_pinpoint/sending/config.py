"""The environment-variable contract between the CDK construct and the runtime.

The CDK construct (``EmailChannel.configure_sender(function)``) sets these
variables on a Lambda function; :func:`~constructs_pinpoint.sending.sender_from_environment`
reads them back.  This module imports neither boto3 nor aws_cdk, so both sides
can import it.

=================================== ==================================================
Variable                            Meaning
=================================== ==================================================
``PINPOINT_EMAIL_BACKEND``          ``pinpoint`` (SendMessages) or ``sesv2`` (SendEmail).
                                    Required.
``PINPOINT_EMAIL_APPLICATION_ID``   Pinpoint application (project) id. Required for
                                    ``pinpoint``; ignored by ``sesv2``.
``PINPOINT_EMAIL_FROM_ADDRESS``     Verified sender, ``addr@example.com`` or
                                    ``Name <addr@example.com>``. Required for
                                    ``sesv2``; optional for ``pinpoint`` (the channel's
                                    FromAddress is the default there).
``PINPOINT_EMAIL_IDENTITY_ARN``     ARN of the SES identity (``arn:…:ses:…:identity/…``).
                                    Optional; ``sesv2`` passes it as
                                    FromEmailAddressIdentityArn.
``PINPOINT_EMAIL_CONFIGURATION_SET`` SES configuration set name. Optional (absent or
                                    empty means none); used by ``sesv2`` only (on
                                    Pinpoint the configuration set is a channel setting).
=================================== ==================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .addresses import AddressProblem, check_sender_address
from .errors import SenderConfigError

__all__ = [
    "CONFIGURE_SENDER_HINT",
    "ENV_APPLICATION_ID",
    "ENV_BACKEND",
    "ENV_CONFIGURATION_SET",
    "ENV_FROM_ADDRESS",
    "ENV_IDENTITY_ARN",
    "DeliveryBackend",
    "SenderConfig",
]

ENV_BACKEND = "PINPOINT_EMAIL_BACKEND"
ENV_APPLICATION_ID = "PINPOINT_EMAIL_APPLICATION_ID"
ENV_FROM_ADDRESS = "PINPOINT_EMAIL_FROM_ADDRESS"
ENV_IDENTITY_ARN = "PINPOINT_EMAIL_IDENTITY_ARN"
ENV_CONFIGURATION_SET = "PINPOINT_EMAIL_CONFIGURATION_SET"

CONFIGURE_SENDER_HINT = (
    "These variables are set by the CDK construct: call "
    "EmailChannel.configure_sender(function) for the Lambda function that sends "
    "the e-mail (outside Lambda, set the variable yourself)."
)


class DeliveryBackend(StrEnum):
    """Which AWS API delivers the e-mail."""

    PINPOINT = "pinpoint"
    """Amazon Pinpoint SendMessages / SendUsersMessages (end of support 2026-10-30)."""

    SES_V2 = "sesv2"
    """Amazon SES API v2 SendEmail, the replacement AWS recommends."""


# SES configuration set names: letters, digits, "_" and "-", at most 64 characters.
_CONFIGURATION_SET_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# arn:partition:ses:region:account:identity/name
_SES_IDENTITY_ARN_RE = re.compile(r"^arn:[a-z0-9-]+:ses:[a-z0-9-*]*:\d{12}:identity/\S+$")


@dataclass(frozen=True, kw_only=True)
class SenderConfig:
    """Settings for a sender, normally read from the environment.

    Construction does not validate (so the CDK side can build one from tokens);
    :meth:`from_environ` does.
    """

    backend: DeliveryBackend
    application_id: str | None = None
    from_address: str | None = None
    identity_arn: str | None = None
    configuration_set: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SenderConfig:
        """Read and validate the ``PINPOINT_EMAIL_*`` variables.

        Raises:
            SenderConfigError: naming the missing or invalid variable and how to
                fix it.
        """
        backend = _read_backend(environ)
        application_id = _optional(environ, ENV_APPLICATION_ID)
        from_address = _optional(environ, ENV_FROM_ADDRESS)
        identity_arn = _optional(environ, ENV_IDENTITY_ARN)
        configuration_set = _optional(environ, ENV_CONFIGURATION_SET)

        if backend is DeliveryBackend.PINPOINT and application_id is None:
            raise _missing(ENV_APPLICATION_ID, "the Pinpoint backend needs the application id")
        if backend is DeliveryBackend.SES_V2 and from_address is None:
            raise _missing(ENV_FROM_ADDRESS, "the SES v2 backend needs a verified sender address")
        if from_address is not None:
            try:
                check_sender_address(from_address)
            except AddressProblem as problem:
                raise SenderConfigError(
                    f"{ENV_FROM_ADDRESS}={from_address!r} is not a usable sender address: "
                    f"{problem}. {CONFIGURE_SENDER_HINT}",
                    ENV_FROM_ADDRESS,
                ) from None
        if identity_arn is not None and not _SES_IDENTITY_ARN_RE.match(identity_arn):
            raise SenderConfigError(
                f"{ENV_IDENTITY_ARN}={identity_arn!r} is not an SES identity ARN "
                "(expected arn:<partition>:ses:<region>:<account>:identity/<name>). "
                f"{CONFIGURE_SENDER_HINT}",
                ENV_IDENTITY_ARN,
            )
        if configuration_set is not None and not _CONFIGURATION_SET_RE.match(configuration_set):
            raise SenderConfigError(
                f"{ENV_CONFIGURATION_SET}={configuration_set!r} is not a configuration set "
                "name (letters, digits, '_' and '-', at most 64 characters). "
                f"{CONFIGURE_SENDER_HINT}",
                ENV_CONFIGURATION_SET,
            )
        return cls(
            backend=backend,
            application_id=application_id,
            from_address=from_address,
            identity_arn=identity_arn,
            configuration_set=configuration_set,
        )

    def to_environ(self) -> dict[str, str]:
        """The variables that describe this config (unset fields are left out)."""
        environ = {ENV_BACKEND: self.backend.value}
        optional = {
            ENV_APPLICATION_ID: self.application_id,
            ENV_FROM_ADDRESS: self.from_address,
            ENV_IDENTITY_ARN: self.identity_arn,
            ENV_CONFIGURATION_SET: self.configuration_set,
        }
        environ.update({name: value for name, value in optional.items() if value})
        return environ


def _read_backend(environ: Mapping[str, str]) -> DeliveryBackend:
    allowed = ", ".join(repr(b.value) for b in DeliveryBackend)
    raw = environ.get(ENV_BACKEND)
    if raw is None or not raw.strip():
        raise SenderConfigError(
            f"{ENV_BACKEND} is not set (expected one of {allowed}). {CONFIGURE_SENDER_HINT}",
            ENV_BACKEND,
        )
    try:
        return DeliveryBackend(raw.strip())
    except ValueError:
        raise SenderConfigError(
            f"{ENV_BACKEND}={raw!r} is not a supported backend (expected one of {allowed}). "
            f"{CONFIGURE_SENDER_HINT}",
            ENV_BACKEND,
        ) from None


def _optional(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _missing(name: str, why: str) -> SenderConfigError:
    return SenderConfigError(f"{name} is not set or empty: {why}. {CONFIGURE_SENDER_HINT}", name)
