"""The example app's configuration from CDK context (cdk.json): ``environments``, ``pipeline``.
pydantic v2 checks shape and types, constructs_pinpoint.sending.rules checks values; a check of a
field against another runs if that one is valid. All problems are reported at once, by key."""

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

import aws_cdk as cdk
from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import ErrorDetails, ValidationError

from constructs_pinpoint.sending import rules
from constructs_pinpoint.sending._text import counted

ENV_KEY = "env"
ENVIRONMENTS_KEY = "environments"
PIPELINE_KEY = "pipeline"
# Values of the ``env`` context key, and so not environment names (stage ids, stack prefixes).
ALL = "all"
PIPELINE = "pipeline"
RESERVED_NAMES = frozenset({ALL, PIPELINE, "default"})
_NAME = rf"^(?!({'|'.join(sorted(RESERVED_NAMES))})$)[a-z][a-z0-9-]{{0,19}}$"
EnvironmentName = Annotated[str, Field(pattern=_NAME)]

SHAPE = """\
  "environments": {
    "<name>": {                        # a-z, 0-9, '-'; not "all", "pipeline" or "default"
      "account": "111111111111", "region": "eu-west-1",  # the account: 12 digits, a string
      "from_address": "Orders <noreply@dev.example.com>",
      "identity": "dev.example.com",   # a domain to verify, or an SES identity ARN
      "configuration_set": "orders-dev", "removal_policy": "destroy",  # or "retain"
      "app_name": "orders-dev"         # or "application_id": "<32 hex>" (an existing app)
    }
  },
  "pipeline": {                        # for env=pipeline
    "account": "444444444444", "region": "eu-west-1", "repository": "owner/repo", "branch": "main",
    "connection_arn": "arn:aws:codeconnections:eu-west-1:444444444444:connection/<uuid>",
    "stages": ["dev", "staging", "prod"], "manual_approval": ["prod"]  # deploy order; approvals
  }"""


class ConfigError(ValueError):
    """Invalid or missing example-app context; lists every problem with its key."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            "invalid example-app configuration (CDK context, cdk.json), "
            f"{counted(len(self.problems), 'problem')}:\n{listed}\n"
            f'expected in cdk.json\'s "context":\n{SHAPE}'
        )


_T = TypeVar("_T")


def _checked(value: _T, problems: list[str]) -> _T:
    if problems:
        raise ValueError("; ".join(problem.strip() for problem in problems))
    return value


def _rule(problems: Callable[[str, str], list[str]]) -> AfterValidator:
    """A rules function as a check: with no field name its sentences start with the value."""
    return AfterValidator(lambda value: _checked(value, problems("", value)))


ApplicationId = Annotated[str, _rule(rules.application_id_problems)]
NonBlank = Annotated[str, _rule(lambda _, value: [] if value.strip() else ["is empty"])]


class EnvironmentConfig(BaseModel, extra="forbid", frozen=True):
    """One deployment environment (``account``/``region`` None: env-agnostic, the default only)."""

    name: str
    account: Annotated[str, _rule(rules.account_problems)] | None
    region: Annotated[str, _rule(rules.region_problems)] | None
    identity: str  # a domain (a new ses.EmailIdentity) or the ARN of an existing SES identity
    from_address: Annotated[str, _rule(rules.sender_address_problems)]
    configuration_set: Annotated[str, _rule(rules.configuration_set_problems)] | None
    removal_policy_name: Literal["destroy", "retain"] = Field(alias="removal_policy")
    app_name: NonBlank | None = None
    application_id: ApplicationId | None = Field(default=None, validate_default=True)

    @field_validator("identity")
    @classmethod
    def _identity(cls, identity: str, info: ValidationInfo) -> str:
        if identity.startswith("arn:"):
            region, account = info.data.get("region"), info.data.get("account")
            found = rules.identity_arn_problems("", identity, region=region, account=account)
            return _checked(identity, found)
        if identity != identity.lower() or rules.domain_reason(identity):
            raise ValueError(f"{identity!r} is neither a lowercase domain nor an SES identity ARN")
        return identity

    @field_validator("from_address")
    @classmethod
    def _covered_by_identity(cls, address: str, info: ValidationInfo) -> str:
        identity = info.data.get("identity", "")
        name = arn.name if (arn := rules.parse_identity_arn(identity)) else identity
        return _checked(address, rules.coverage_problems("", address, name) if name else [])

    @field_validator("application_id")
    @classmethod
    def _one_application(cls, application_id: str | None, info: ValidationInfo) -> str | None:
        if (application_id is None) == (info.data.get("app_name") is None):
            raise ValueError("give exactly one of app_name and application_id")
        return application_id

    @property
    def removal_policy(self) -> cdk.RemovalPolicy:
        return cdk.RemovalPolicy[self.removal_policy_name.upper()]

    @property
    def env(self) -> cdk.Environment | None:
        if self.account is None and self.region is None:
            return None
        return cdk.Environment(account=self.account, region=self.region)

    @property
    def identity_is_arn(self) -> bool:
        return self.identity.startswith("arn:")

    @property
    def application_id_parameter(self) -> str:
        """The SSM parameter holding the id of the application the shared stack creates."""
        return f"/orders/{self.name}/pinpoint/application-id"


# The embedded default: what `cdk synth` builds with no `env` context (one env-agnostic stack).
DEFAULT_ENVIRONMENT = EnvironmentConfig.model_validate(
    {"name": "default", "account": None, "region": None, "from_address": "noreply@example.com"}
    | {"identity": "example.com", "configuration_set": None, "removal_policy": "destroy"}
    | {"app_name": "orders-dev"}
)


class PipelineConfig(BaseModel, extra="forbid", frozen=True):
    """The pipeline: where it lives, its source, and the order it deploys environments in."""

    account: Annotated[str, _rule(rules.account_problems)]
    region: Annotated[str, _rule(rules.region_problems)]
    connection_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:code(star-)?connections:[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}$"
    )
    repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    branch: NonBlank
    stages: tuple[str, ...] = Field(min_length=1)
    manual_approval: frozenset[str] = frozenset()

    @field_validator("connection_arn")
    @classmethod
    def _in_pipeline_account(cls, arn: str, info: ValidationInfo) -> str:
        own, account = arn.split(":")[4], info.data.get("account", arn.split(":")[4])
        found = [f"the connection's account {own!r} is not pipeline.account {account!r}"]
        return _checked(arn, found if own != account else [])

    @field_validator("stages")
    @classmethod
    def _defined_once(cls, stages: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        defined = sorted((info.context or {}).get(ENVIRONMENTS_KEY) or stages)
        unknown = [stage for stage in stages if stage not in defined]
        found = [f"{s!r} is not an environment; defined: {', '.join(defined)}" for s in unknown]
        found += [f"{list(stages)!r} lists an environment twice"] * (len({*stages}) < len(stages))
        return _checked(stages, found)

    @field_validator("manual_approval")
    @classmethod
    def _among_stages(cls, approvals: frozenset[str], info: ValidationInfo) -> frozenset[str]:
        missing = sorted(approvals - {*info.data.get("stages", approvals)})
        return _checked(approvals, [f"{s!r} is not in pipeline.stages" for s in missing])


class _Context(BaseModel, regex_engine="python-re"):
    """What ``env`` selects, validated together so that error locations are context keys. An
    environment is named by its key; in cdk.json, null counts as missing."""

    environments: dict[EnvironmentName, EnvironmentConfig] = Field(min_length=1)
    pipeline: PipelineConfig | None = None

    @field_validator("environments", mode="before")
    @classmethod
    def _named(cls, environments: Any) -> Any:
        if not isinstance(environments, Mapping):
            return environments
        return {
            name: {k: v for k, v in entry.items() if v is not None} | {"name": name}
            if isinstance(entry, Mapping)
            else entry
            for name, entry in environments.items()
        }


def _problem(error: ErrorDetails) -> str:
    key = ".".join(str(at) for at in error["loc"] if at != "[key]")
    value, kind = error["input"], error["type"]
    if kind == "missing":
        return f"{key}: missing"
    if kind == "value_error":
        return f"{key}: {error['msg'].removeprefix('Value error, ')}"
    if kind == "string_type" and type(value) is int:
        return f"{key}: expected a string, got int {value} (quote it: a number loses leading zeros)"
    return f"{key}: {error['msg']}, got {value!r}"


class Selection(BaseModel, frozen=True):
    """What the app builds, by ``env``: none, the default; ``<name>``/``all``; ``pipeline``."""

    mode: Literal["default", "environments", "pipeline"]
    environments: tuple[EnvironmentConfig, ...]
    pipeline: PipelineConfig | None = None


def load_selection(env: Any, environments: Any, pipeline: Any = None) -> Selection:
    """The context values ``env`` selects, or :class:`ConfigError` with all their problems."""
    if env is None:
        return Selection(mode="default", environments=(DEFAULT_ENVIRONMENT,))
    defined = list(environments) if isinstance(environments, Mapping) else []
    listed = ", ".join(sorted(defined))
    if not isinstance(env, str) or not env.strip():
        expected = f"an environment name ({listed or 'none'}), {ALL!r} or {PIPELINE!r}"
        raise ConfigError([f"{ENV_KEY}: expected {expected}, got {env!r}"])
    if defined and env not in (*defined, ALL, PIPELINE):
        raise ConfigError([f"{ENVIRONMENTS_KEY}.{env}: no such environment; defined: {listed}"])
    if isinstance(pipeline, Mapping):  # by default, every environment in file order
        pipeline = {"stages": defined, **pipeline}
    selected = {env: environments[env]} if env in defined else environments
    values = {PIPELINE_KEY: pipeline or {}} if env == PIPELINE else {}
    values |= {ENVIRONMENTS_KEY: selected} if selected is not None else {}
    try:
        context = _Context.model_validate(values, context={ENVIRONMENTS_KEY: defined})
    except ValidationError as error:
        raise ConfigError([_problem(found) for found in error.errors()]) from None
    if context.pipeline is None:
        return Selection(mode="environments", environments=tuple(context.environments.values()))
    stage_configs = tuple(context.environments[stage] for stage in context.pipeline.stages)
    return Selection(mode="pipeline", environments=stage_configs, pipeline=context.pipeline)


def load_environments(raw: Any) -> list[EnvironmentConfig]:
    """Every environment of ``environments`` (a context value), in file order."""
    return list(load_selection(ALL, raw).environments)
