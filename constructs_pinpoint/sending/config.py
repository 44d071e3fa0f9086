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
                                    FromAddress is the default there). Unset it rather
                                    than setting it empty.
``PINPOINT_EMAIL_IDENTITY_ARN``     ARN of the SES identity (``arn:…:ses:…:identity/…``).
                                    Optional; ``sesv2`` passes it as
                                    FromEmailAddressIdentityArn.
``PINPOINT_EMAIL_CONFIGURATION_SET`` SES configuration set name. Optional (absent or
                                    empty means none); used by ``sesv2`` only (on
                                    Pinpoint the configuration set is a channel setting).
=================================== ==================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import rules
from .errors import SenderConfigError
from .types import DeliveryBackend

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


@dataclass(frozen=True, kw_only=True)
class SenderConfig:
    """Settings for a sender, normally read from the environment.

    Construction checks only types (the CDK side builds one from token strings, whose values
    are known at deploy time); :meth:`from_environ` checks the values.

    Raises:
        SenderConfigError: ``backend`` is not a backend, or a field is not a string.
    """

    backend: DeliveryBackend
    application_id: str | None = None
    from_address: str | None = None
    identity_arn: str | None = None
    configuration_set: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "backend", _backend(self.backend, "backend"))
        for name, variable in _FIELD_VARIABLES.items():
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise SenderConfigError(
                    f"SenderConfig {name} {value!r} is {rules.a_type(value)}: give a string "
                    "or None",
                    variable,
                )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SenderConfig:
        """Read and validate the ``PINPOINT_EMAIL_*`` variables.

        Values are taken as they are (surrounding whitespace is an error), except that an
        empty configuration set or an empty application id of the SES v2 backend means none.

        Raises:
            SenderConfigError: naming the missing or invalid variable and how to fix it.
        """
        if not isinstance(environ, Mapping):
            raise SenderConfigError(
                f"environ {environ!r} is {rules.a_type(environ)}: give a mapping of "
                "variable names to strings, such as os.environ",
                ENV_BACKEND,
            )
        for name in (ENV_BACKEND, *_FIELD_VARIABLES.values()):
            value = environ.get(name)
            if value is not None and not isinstance(value, str):
                raise SenderConfigError(
                    f"{name}={value!r} is {rules.a_type(value)}: environment values are "
                    f"strings. {CONFIGURE_SENDER_HINT}",
                    name,
                )
        backend = _read_backend(environ)
        application_id = environ.get(ENV_APPLICATION_ID) or None
        from_address = environ.get(ENV_FROM_ADDRESS)
        identity_arn = environ.get(ENV_IDENTITY_ARN) or None
        configuration_set = environ.get(ENV_CONFIGURATION_SET) or None

        if backend is DeliveryBackend.PINPOINT:
            if application_id is None:
                raise _missing(ENV_APPLICATION_ID, "the Pinpoint backend needs the application id")
            _raise_first(ENV_APPLICATION_ID, rules.application_id_problems, application_id)
        else:
            application_id = None
        if from_address is None or not from_address.strip():
            if backend is DeliveryBackend.SES_V2 or from_address is not None:
                raise _missing(
                    ENV_FROM_ADDRESS,
                    "the SES v2 backend needs a verified sender address"
                    if backend is DeliveryBackend.SES_V2
                    else "give the sender address, or unset the variable to use the channel's",
                )
            from_address = None
        else:
            _raise_first(ENV_FROM_ADDRESS, rules.sender_address_problems, from_address)
        if identity_arn is not None:
            _raise_first(ENV_IDENTITY_ARN, rules.identity_arn_problems, identity_arn)
            identity = rules.parse_identity_arn(identity_arn)
            if from_address is not None and identity is not None:
                found = rules.coverage_problems(f"{ENV_FROM_ADDRESS}=", from_address, identity.name)
                if found:
                    raise SenderConfigError(
                        f"{found[0]}. {CONFIGURE_SENDER_HINT}", ENV_FROM_ADDRESS
                    )
        if configuration_set is not None:
            _raise_first(ENV_CONFIGURATION_SET, rules.configuration_set_problems, configuration_set)
        return cls(
            backend=backend,
            application_id=application_id,
            from_address=from_address,
            identity_arn=identity_arn,
            configuration_set=configuration_set,
        )

    def to_environ(self) -> dict[str, str]:
        """The variables that describe this config, as ``configure_sender`` sets them.

        The Pinpoint backend carries the application id (required); SES v2 none, so a sender
        wired by an SES-backed channel and one wired by ``SesEmailSending`` see the same
        variables. Unset fields are left out.

        Raises:
            SenderConfigError: the Pinpoint backend without an application id.
        """
        environ = {ENV_BACKEND: self.backend.value}
        if self.backend is DeliveryBackend.PINPOINT:
            if not self.application_id:
                raise _missing(ENV_APPLICATION_ID, "the Pinpoint backend needs the application id")
            environ[ENV_APPLICATION_ID] = self.application_id
        for name, value in (
            (ENV_FROM_ADDRESS, self.from_address),
            (ENV_IDENTITY_ARN, self.identity_arn),
            (ENV_CONFIGURATION_SET, self.configuration_set),
        ):
            if value is not None:
                environ[name] = value
        return environ


_FIELD_VARIABLES = {
    "application_id": ENV_APPLICATION_ID,
    "from_address": ENV_FROM_ADDRESS,
    "identity_arn": ENV_IDENTITY_ARN,
    "configuration_set": ENV_CONFIGURATION_SET,
}


def _backend(value: object, name: str) -> DeliveryBackend:
    allowed = ", ".join(repr(b.value) for b in DeliveryBackend)
    try:
        return DeliveryBackend(value)  # type: ignore[arg-type]  # any value: refused below
    except ValueError:
        raise SenderConfigError(
            f"{rules.label(name, value)} is not a supported backend (expected one of {allowed}). "
            f"{CONFIGURE_SENDER_HINT}",
            ENV_BACKEND,
        ) from None


def _read_backend(environ: Mapping[str, str]) -> DeliveryBackend:
    raw = environ.get(ENV_BACKEND)
    if raw is None or not raw.strip():
        allowed = ", ".join(repr(b.value) for b in DeliveryBackend)
        raise SenderConfigError(
            f"{ENV_BACKEND} is not set (expected one of {allowed}). {CONFIGURE_SENDER_HINT}",
            ENV_BACKEND,
        )
    return _backend(raw.strip(), f"{ENV_BACKEND}=")


def _raise_first(variable: str, check: Callable[[str, str], list[str]], value: str) -> None:
    problems = check(f"{variable}=", value)
    if problems:
        raise SenderConfigError(f"{problems[0]}. {CONFIGURE_SENDER_HINT}", variable)


def _missing(name: str, why: str) -> SenderConfigError:
    return SenderConfigError(f"{name} is not set or empty: {why}. {CONFIGURE_SENDER_HINT}", name)
