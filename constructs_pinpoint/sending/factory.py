"""Builds the sender the environment asks for."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import boto3  # type: ignore[import-untyped, unused-ignore]
from botocore.config import Config  # type: ignore[import-untyped, unused-ignore]
from botocore.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    BotoCoreError,
    InvalidRegionError,
    NoRegionError,
)

from .config import (
    CONFIGURE_SENDER_HINT,
    ENV_APPLICATION_ID,
    ENV_FROM_ADDRESS,
    DeliveryBackend,
    SenderConfig,
)
from .errors import SenderArgumentError, SenderConfigError
from .pinpoint import PinpointEmailSender
from .rules import a_type
from .sender import EmailSender
from .sesv2 import SesV2EmailSender

__all__ = ["default_client_config", "sender_from_config", "sender_from_environment"]

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 15
MAX_ATTEMPTS = 3


def default_client_config() -> Config:
    """Bounded timeouts and botocore's "standard" retry mode (3 attempts in all).

    Worst case per call: 3 x (5 s connect + 15 s read) plus backoff, so keep the
    Lambda timeout above ~65 s or pass a tighter ``client_config``.  Retries of
    timeouts and 5xx errors can deliver a message twice.
    """
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        user_agent_extra="constructs-pinpoint-sending",
    )


def sender_from_environment(
    environ: Mapping[str, str] | None = None,
    session: boto3.session.Session | None = None,
    *,
    client_config: Config | None = None,
    max_send_rate: float | None = None,
) -> EmailSender:
    """Read the ``PINPOINT_EMAIL_*`` variables and build the matching sender.

    Args:
        environ: the variables; ``os.environ`` by default.
        session: the boto3 session to create the client from; a new default
            session (credentials and region from the environment) by default.
        client_config: botocore client config; :func:`default_client_config`
            by default.
        max_send_rate: recipients per second.  SES v2: None reads the account's
            MaxSendRate (GetAccount) on the first send.  Pinpoint: None is unpaced.

    Raises:
        SenderConfigError: a variable is missing or invalid, no AWS region is
            configured, or botocore refuses the region or endpoint URL.

    Build the sender once per Lambda execution environment (at module level)
    so the client and its connections are reused across invocations.
    """
    config = SenderConfig.from_environ(os.environ if environ is None else environ)
    return sender_from_config(
        config, session=session, client_config=client_config, max_send_rate=max_send_rate
    )


def sender_from_config(
    config: SenderConfig,
    *,
    session: boto3.session.Session | None = None,
    client_config: Config | None = None,
    max_send_rate: float | None = None,
) -> EmailSender:
    """Build the sender ``config`` describes (see :func:`sender_from_environment`)."""
    if not isinstance(config, SenderConfig):
        raise SenderArgumentError(
            f"config {config!r} is {a_type(config)}: give a SenderConfig, e.g. "
            "SenderConfig.from_environ(os.environ)",
            "config",
        )
    if session is not None and not callable(getattr(session, "client", None)):
        raise SenderArgumentError(
            f"session {session!r} is {a_type(session)}: give a boto3.session.Session",
            "session",
        )
    if client_config is not None and not isinstance(client_config, Config):
        raise SenderArgumentError(
            f"client_config {client_config!r} is {a_type(client_config)}: give a "
            "botocore.config.Config, e.g. default_client_config()",
            "client_config",
        )
    session = session if session is not None else boto3.session.Session()
    client_config = client_config if client_config is not None else default_client_config()
    if config.backend is DeliveryBackend.PINPOINT:
        if not config.application_id:
            raise SenderConfigError(
                f"{ENV_APPLICATION_ID} is required for the Pinpoint backend. "
                f"{CONFIGURE_SENDER_HINT}",
                ENV_APPLICATION_ID,
            )
        return PinpointEmailSender(
            _client(session, "pinpoint", client_config),
            config.application_id,
            max_send_rate=max_send_rate,
        )
    if not config.from_address:
        raise SenderConfigError(
            f"{ENV_FROM_ADDRESS} is required for the SES v2 backend. {CONFIGURE_SENDER_HINT}",
            ENV_FROM_ADDRESS,
        )
    return SesV2EmailSender(
        _client(session, "sesv2", client_config),
        config.from_address,
        config.configuration_set,
        from_identity_arn=config.identity_arn,
        max_send_rate=max_send_rate,
    )


_REGION_HINT = (
    "botocore reads the region from AWS_DEFAULT_REGION or the profile's 'region' setting "
    "(AWS_PROFILE, ~/.aws/config), not from AWS_REGION alone; Lambda sets both AWS_REGION "
    "and AWS_DEFAULT_REGION. Or pass a boto3 session with region_name"
)


def _client(session: Any, service: str, client_config: Config) -> Any:
    """``session.client(service)``, with botocore's configuration errors as SenderConfigError."""
    try:
        return session.client(service, config=client_config)
    except NoRegionError:
        raise SenderConfigError(
            f"no AWS region is configured for the e-mail client: set AWS_DEFAULT_REGION. "
            f"{_REGION_HINT}",
            "AWS_DEFAULT_REGION",
        ) from None
    except InvalidRegionError as exc:
        raise SenderConfigError(
            f"botocore refuses the AWS region for the e-mail client: {exc}. Set "
            f"AWS_DEFAULT_REGION to a region such as 'eu-west-1'. {_REGION_HINT}",
            "AWS_DEFAULT_REGION",
        ) from exc
    except (BotoCoreError, ValueError) as exc:
        variable = _endpoint_variable(service)
        raise SenderConfigError(
            f"botocore cannot create the {service} client: {exc} "
            f"({type(exc).__name__}). Check {variable} (an endpoint URL such as "
            f"'https://{service}.eu-west-1.amazonaws.com'), AWS_DEFAULT_REGION and the "
            "profile's settings",
            variable,
        ) from exc


def _endpoint_variable(service: str) -> str:
    specific = f"AWS_ENDPOINT_URL_{service.upper()}"
    if specific in os.environ or "AWS_ENDPOINT_URL" not in os.environ:
        return specific
    return "AWS_ENDPOINT_URL"
