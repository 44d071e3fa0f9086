"""Typed, validated configuration of the example app, read from CDK context (``cdk.json``).

``environments`` maps an environment name to its settings; ``pipeline`` describes the pipeline
that deploys them. Every problem is collected and reported at once, each naming its context key
(``environments.staging.region``) and the value expected there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import aws_cdk as cdk

ENV_KEY = "env"
ENVIRONMENTS_KEY = "environments"
PIPELINE_KEY = "pipeline"
# Values of the ``env`` context key that are not environment names.
ALL = "all"
PIPELINE = "pipeline"
RESERVED_NAMES = frozenset({ALL, PIPELINE, "default"})

RemovalPolicyName = Literal["destroy", "retain"]
_REMOVAL_POLICIES: dict[str, cdk.RemovalPolicy] = {
    "destroy": cdk.RemovalPolicy.DESTROY,
    "retain": cdk.RemovalPolicy.RETAIN,
}

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
_ADDRESS = re.compile(r"^[^\s@<>]+@(?P<domain>[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")
_DISPLAY_FORM = re.compile(r"^[^<>@\"]*[^\s<>@\"]\s*<(?P<address>[^<>]+)>$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_IDENTITY_ARN = re.compile(
    r"^arn:aws[a-z-]*:ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):identity/(?P<name>[^/\s]+)$"
)
_CONFIGURATION_SET = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_APPLICATION_ID = re.compile(r"^[0-9a-f]{32}$")
_CONNECTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):(?P<region>[a-z0-9-]+):"
    r"(?P<account>\d{12}):connection/[0-9a-f-]{36}$"
)
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

ENVIRONMENT_SHAPE = """\
  "environments": {
    "<name>": {                                  # lowercase: a-z, 0-9, '-'
      "account": "111111111111",                 # 12 digits, as a string
      "region": "eu-west-1",
      "from_address": "Orders <noreply@dev.example.com>",
      "identity": "dev.example.com",             # a domain to verify, or an SES identity ARN
      "configuration_set": "orders-dev",         # SES configuration set name to create
      "removal_policy": "destroy",               # "destroy" or "retain"
      "app_name": "orders-dev"                   # or "application_id": "<32 hex>" (existing app)
    }
  }"""
PIPELINE_SHAPE = """\
  "pipeline": {
    "account": "444444444444", "region": "eu-west-1",
    "connection_arn": "arn:aws:codeconnections:eu-west-1:444444444444:connection/<uuid>",
    "repository": "owner/repo", "branch": "main",
    "stages": ["dev", "staging", "prod"],      # deployed in this order
    "manual_approval": ["prod"]                # stages that wait for a manual approval
  }"""


class ConfigError(ValueError):
    """Invalid or missing example-app context; lists every problem with its key."""

    def __init__(
        self, problems: Sequence[str], shapes: Sequence[str] = (ENVIRONMENT_SHAPE,)
    ) -> None:
        self.problems = list(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        expected = "\n".join(shapes)
        super().__init__(
            f"invalid example-app configuration (CDK context, cdk.json), {len(self.problems)} "
            f'problem(s):\n{listed}\nexpected in cdk.json\'s "context":\n{expected}'
        )


@dataclass(frozen=True)
class EnvironmentConfig:
    """One deployment environment of the example app."""

    name: str
    account: str | None
    region: str | None
    from_address: str
    identity: str
    """A domain name (a new ``ses.EmailIdentity``) or the ARN of an existing SES identity."""
    configuration_set: str | None
    removal_policy_name: RemovalPolicyName
    app_name: str | None
    application_id: str | None = None
    """An existing Pinpoint application to attach the channel to (then ``app_name`` is None)."""

    @property
    def removal_policy(self) -> cdk.RemovalPolicy:
        return _REMOVAL_POLICIES[self.removal_policy_name]

    @property
    def env(self) -> cdk.Environment | None:
        if self.account is None and self.region is None:
            return None
        return cdk.Environment(account=self.account, region=self.region)

    @property
    def identity_is_arn(self) -> bool:
        return self.identity.startswith("arn:")

    @property
    def identity_name(self) -> str:
        """The domain (or address) the identity verifies."""
        match = _IDENTITY_ARN.match(self.identity)
        return match["name"] if match else self.identity

    @property
    def application_id_parameter(self) -> str:
        """The SSM parameter holding the id of the application the shared stack creates."""
        return f"/orders/{self.name}/pinpoint/application-id"


# The embedded default: what `cdk synth` builds with no `env` context (one env-agnostic stack).
DEFAULT_ENVIRONMENT = EnvironmentConfig(
    name="default",
    account=None,
    region=None,
    from_address="noreply@example.com",
    identity="example.com",
    configuration_set=None,
    removal_policy_name="destroy",
    app_name="orders-dev",
)


@dataclass(frozen=True)
class PipelineConfig:
    """The pipeline: where it lives, its source, and the order it deploys environments in."""

    account: str
    region: str
    connection_arn: str
    repository: str
    branch: str
    stages: tuple[str, ...]
    manual_approval: frozenset[str] = field(default_factory=frozenset)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(f"{key}: {message}")


def _string(
    raw: Mapping[str, Any], key: str, prefix: str, problems: _Problems, *, required: bool = True
) -> str | None:
    if key not in raw or raw[key] is None:
        if required:
            problems.add(f"{prefix}.{key}", "missing")
        return None
    value = raw[key]
    if not isinstance(value, str):
        hint = " (quote it: a number loses leading zeros)" if isinstance(value, int) else ""
        problems.add(
            f"{prefix}.{key}", f"expected a string, got {type(value).__name__} {value!r}{hint}"
        )
        return None
    if not value.strip():
        problems.add(f"{prefix}.{key}", "is empty")
        return None
    return value


def _check(
    value: str | None, pattern: re.Pattern[str], key: str, expected: str, problems: _Problems
) -> str | None:
    if value is not None and not pattern.match(value):
        problems.add(key, f"{value!r} is not {expected}")
        return None
    return value


def _account_and_region(
    raw: Mapping[str, Any], prefix: str, problems: _Problems
) -> tuple[str | None, str | None]:
    account = _check(
        _string(raw, "account", prefix, problems),
        _ACCOUNT,
        f"{prefix}.account",
        "an AWS account id (12 digits, as a string)",
        problems,
    )
    region = _check(
        _string(raw, "region", prefix, problems),
        _REGION,
        f"{prefix}.region",
        "an AWS region name such as 'eu-west-1'",
        problems,
    )
    return account, region


def _bare_address(value: str) -> str | None:
    """The lowercase address of ``addr`` or ``Display Name <addr>``; None if it is not one."""
    display = _DISPLAY_FORM.match(value)
    address = display["address"].strip() if display else value
    return address.lower() if _ADDRESS.match(address) else None


_ENVIRONMENT_KEYS = frozenset(
    {
        "account",
        "region",
        "from_address",
        "identity",
        "configuration_set",
        "removal_policy",
        "app_name",
        "application_id",
    }
)


def _parse_environment(name: str, raw: Any, problems: _Problems) -> EnvironmentConfig | None:
    prefix = f"{ENVIRONMENTS_KEY}.{name}"
    before = len(problems.items)
    if not _NAME.match(name) or name in RESERVED_NAMES:
        problems.add(
            prefix,
            f"{name!r} is not a usable environment name: use 1-20 lowercase letters, digits or "
            f"'-', starting with a letter, and not one of {sorted(RESERVED_NAMES)}",
        )
    if not isinstance(raw, Mapping):
        problems.add(prefix, f"expected an object, got {type(raw).__name__} {raw!r}")
        return None
    for unknown in sorted(set(raw) - _ENVIRONMENT_KEYS):
        problems.add(f"{prefix}.{unknown}", f"unknown key; known keys: {sorted(_ENVIRONMENT_KEYS)}")

    account, region = _account_and_region(raw, prefix, problems)
    from_address = _string(raw, "from_address", prefix, problems)
    address = None
    if from_address is not None:
        address = _bare_address(from_address)
        if address is None:
            problems.add(
                f"{prefix}.from_address",
                f"{from_address!r} is not an email address: expected 'noreply@example.com' or "
                "'Example Orders <noreply@example.com>'",
            )
    identity = _string(raw, "identity", prefix, problems)
    identity_name: str | None = None
    if identity is not None:
        arn = _IDENTITY_ARN.match(identity)
        if arn:
            identity_name = arn["name"].lower()
            for part, expected in (("account", account), ("region", region)):
                if expected is not None and arn[part] != expected:
                    problems.add(
                        f"{prefix}.identity",
                        f"the identity's {part} {arn[part]!r} differs from {prefix}.{part} "
                        f"{expected!r}: Pinpoint uses SES identities of its own account and region",
                    )
        elif _DOMAIN.match(identity):
            identity_name = identity
        else:
            problems.add(
                f"{prefix}.identity",
                f"{identity!r} is neither a lowercase domain name ('example.com', created as an "
                "SES domain identity) nor an SES identity ARN "
                "('arn:aws:ses:<region>:<account>:identity/<domain-or-address>')",
            )
    if identity_name is not None and address is not None:
        domain = address.rsplit("@", 1)[1]
        if "@" in identity_name:
            covered = address == identity_name
        else:
            covered = domain == identity_name or domain.endswith("." + identity_name)
        if not covered:
            problems.add(
                f"{prefix}.from_address",
                f"{from_address!r} is not covered by {prefix}.identity {identity_name!r}: "
                f"send from an address of {identity_name!r} (or a subdomain), or change the "
                "identity",
            )
    configuration_set = _check(
        _string(raw, "configuration_set", prefix, problems),
        _CONFIGURATION_SET,
        f"{prefix}.configuration_set",
        "an SES configuration set NAME (1-64 letters, digits, '-' or '_')",
        problems,
    )
    removal_policy = _string(raw, "removal_policy", prefix, problems)
    if removal_policy is not None and removal_policy not in _REMOVAL_POLICIES:
        problems.add(
            f"{prefix}.removal_policy",
            f"{removal_policy!r} is not one of {sorted(_REMOVAL_POLICIES)}",
        )
        removal_policy = None
    app_name = _string(raw, "app_name", prefix, problems, required=False)
    application_id = _check(
        _string(raw, "application_id", prefix, problems, required=False),
        _APPLICATION_ID,
        f"{prefix}.application_id",
        "a Pinpoint project id (32 lowercase hexadecimal characters)",
        problems,
    )
    if ("app_name" in raw) == ("application_id" in raw):
        problems.add(
            f"{prefix}.app_name",
            "give exactly one of app_name (create an application) and application_id "
            "(attach to an existing one)",
        )

    if len(problems.items) > before:
        return None
    assert from_address and identity and configuration_set and removal_policy
    return EnvironmentConfig(
        name=name,
        account=account,
        region=region,
        from_address=from_address,
        identity=identity,
        configuration_set=configuration_set,
        removal_policy_name=cast(RemovalPolicyName, removal_policy),
        app_name=app_name,
        application_id=application_id,
    )


def _load_environments(
    raw: Any, names: Sequence[str] | None, problems: _Problems
) -> list[EnvironmentConfig]:
    if raw is None:
        problems.add(ENVIRONMENTS_KEY, "missing from the CDK context")
        return []
    if not isinstance(raw, Mapping) or not raw:
        problems.add(ENVIRONMENTS_KEY, f"expected a non-empty object of environments, got {raw!r}")
        return []
    configs: list[EnvironmentConfig] = []
    for name in list(raw) if names is None else names:
        if name not in raw:
            problems.add(
                f"{ENVIRONMENTS_KEY}.{name}",
                f"no such environment; defined: {', '.join(sorted(raw))}",
            )
            continue
        config = _parse_environment(name, raw[name], problems)
        if config is not None:
            configs.append(config)
    return configs


def load_environments(raw: Any, names: Sequence[str] | None = None) -> list[EnvironmentConfig]:
    """Parse ``environments`` (a context value): ``names`` in that order, or all in file order.

    Raises :class:`ConfigError` listing every problem of the selected environments.
    """
    problems = _Problems()
    configs = _load_environments(raw, names, problems)
    if problems.items:
        raise ConfigError(problems.items)
    return configs


def _load_pipeline(raw: Any, environments: Any, problems: _Problems) -> PipelineConfig | None:
    prefix = PIPELINE_KEY
    before = len(problems.items)
    if not isinstance(raw, Mapping):
        what = "missing from the CDK context" if raw is None else f"expected an object, got {raw!r}"
        problems.add(prefix, what)
        return None
    defined = list(environments) if isinstance(environments, Mapping) else []
    account, region = _account_and_region(raw, prefix, problems)
    connection_arn = _string(raw, "connection_arn", prefix, problems)
    if connection_arn is not None:
        match = _CONNECTION_ARN.match(connection_arn)
        if match is None:
            problems.add(
                f"{prefix}.connection_arn",
                f"{connection_arn!r} is not a CodeConnections connection ARN "
                "('arn:aws:codeconnections:<region>:<account>:connection/<uuid>')",
            )
        elif account is not None and match["account"] != account:
            problems.add(
                f"{prefix}.connection_arn",
                f"the connection's account {match['account']!r} differs from {prefix}.account "
                f"{account!r}: the pipeline can only use connections of its own account",
            )
    repository = _check(
        _string(raw, "repository", prefix, problems),
        _REPOSITORY,
        f"{prefix}.repository",
        "'owner/repo'",
        problems,
    )
    branch = _string(raw, "branch", prefix, problems)
    stages: Any = raw.get("stages", defined)
    if not isinstance(stages, list) or not stages or not all(isinstance(s, str) for s in stages):
        problems.add(
            f"{prefix}.stages", f"expected a non-empty list of environment names, got {stages!r}"
        )
        stages = []
    for stage in stages:
        if defined and stage not in defined:
            problems.add(
                f"{prefix}.stages",
                f"{stage!r} is not an environment; defined: {', '.join(sorted(defined))}",
            )
    if len(set(stages)) != len(stages):
        problems.add(f"{prefix}.stages", f"{stages!r} lists an environment twice")
    approvals: Any = raw.get("manual_approval", [])
    if not isinstance(approvals, list) or not all(isinstance(s, str) for s in approvals):
        problems.add(
            f"{prefix}.manual_approval", f"expected a list of stage names, got {approvals!r}"
        )
        approvals = []
    for stage in approvals:
        if stage not in stages:
            problems.add(f"{prefix}.manual_approval", f"{stage!r} is not in {prefix}.stages")
    if len(problems.items) > before:
        return None
    assert account and region and connection_arn and repository and branch
    return PipelineConfig(
        account=account,
        region=region,
        connection_arn=connection_arn,
        repository=repository,
        branch=branch,
        stages=tuple(stages),
        manual_approval=frozenset(approvals),
    )


SelectionMode = Literal["default", "environments", "pipeline"]


@dataclass(frozen=True)
class Selection:
    """What the app builds, from the ``env`` context key.

    - no ``env``: ``default`` -- the embedded, environment-agnostic ``OrdersEmail`` stack;
    - ``env=<name>``: that environment's stage; ``env=all``: every environment's stage;
    - ``env=pipeline``: the pipeline stack, which holds every stage in ``pipeline.stages``.
    """

    mode: SelectionMode
    environments: tuple[EnvironmentConfig, ...]
    pipeline: PipelineConfig | None = None


def load_selection(env: Any, environments: Any, pipeline: Any = None) -> Selection:
    """Read the ``env``, ``environments`` and ``pipeline`` context values; raise
    :class:`ConfigError` with every problem of what ``env`` selects."""
    if env is None:
        return Selection("default", (DEFAULT_ENVIRONMENT,))
    problems = _Problems()
    if not isinstance(env, str) or not env.strip():
        names = ", ".join(sorted(environments)) if isinstance(environments, Mapping) else "none"
        problems.add(
            ENV_KEY,
            f"expected an environment name ({names}), {ALL!r} or {PIPELINE!r}, got {env!r}",
        )
        raise ConfigError(problems.items)
    if env == PIPELINE:
        config = _load_pipeline(pipeline, environments, problems)
        configs = _load_environments(
            environments, list(config.stages) if config else None, problems
        )
        if problems.items:
            raise ConfigError(problems.items, (ENVIRONMENT_SHAPE, PIPELINE_SHAPE))
        return Selection("pipeline", tuple(configs), config)
    configs = _load_environments(environments, None if env == ALL else [env], problems)
    if problems.items:
        raise ConfigError(problems.items)
    return Selection("environments", tuple(configs))
