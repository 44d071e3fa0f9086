"""Which IAM grants reach which role, and which of their actions stop with Pinpoint email.

Standard library only. A grant is an Allow statement's action pattern (``mobiletargeting:*``,
``mobiletargeting:Send*``, ``*``, or a NotAction statement), with where it comes from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from ..handler.contract import CHANNEL_ACTIONS, SEND_ACTIONS
from .assembly import AssemblyError

__all__ = [
    "EMAIL_ACTIONS",
    "SUNSET_GROUPS",
    "Grant",
    "grants_of",
    "survivors",
]

_PREFIX = "mobiletargeting:"
# The mobiletargeting actions that stop with Pinpoint email, by what they are for. SendMessages
# and SendUsersMessages also carry SMS, voice and push: they stop for email only.
SUNSET_GROUPS: dict[str, tuple[str, ...]] = {
    "send": SEND_ACTIONS,
    "email channel": (f"{_PREFIX}GetEmailChannel", *CHANNEL_ACTIONS),
    "email template": tuple(
        f"{_PREFIX}{verb}EmailTemplate" for verb in ("Create", "Get", "Update", "Delete")
    ),
    "campaign": tuple(
        f"{_PREFIX}{name}"
        for name in (
            "CreateCampaign",
            "UpdateCampaign",
            "DeleteCampaign",
            "GetCampaign",
            "GetCampaigns",
            "GetCampaignActivities",
            "GetCampaignVersion",
            "GetCampaignVersions",
            "GetCampaignDateRangeKpi",
        )
    ),
    "journey": tuple(
        f"{_PREFIX}{name}"
        for name in (
            "CreateJourney",
            "UpdateJourney",
            "UpdateJourneyState",
            "DeleteJourney",
            "GetJourney",
            "ListJourneys",
            "GetJourneyDateRangeKpi",
            "GetJourneyExecutionMetrics",
            "GetJourneyExecutionActivityMetrics",
            "GetJourneyRuns",
            "GetJourneyRunExecutionMetrics",
            "GetJourneyRunExecutionActivityMetrics",
        )
    ),
}
EMAIL_ACTIONS = tuple(action for group in SUNSET_GROUPS.values() for action in group)
_EMAIL_LOWER = {action.lower() for action in EMAIL_ACTIONS}
# mobiletargeting actions that go on for SMS, voice and push (a sample wide enough to tell
# whether a wildcard covers any of them), and the non-email uses of the send actions.
SURVIVING_ACTIONS = tuple(
    f"{_PREFIX}{name}"
    for name in (
        "GetEndpoint",
        "UpdateEndpoint",
        "UpdateEndpointsBatch",
        "UpdateSmsChannel",
        "SendOTPMessage",
        "VerifyOTPMessage",
        "PhoneNumberValidate",
        "GetApp",
        "GetApps",
        "CreateApp",
        "DeleteApp",
        "DeleteEndpoint",
        "GetUserEndpoints",
        "PutEvents",
        "GetSmsChannel",
        "DeleteSmsChannel",
        "GetVoiceChannel",
        "UpdateVoiceChannel",
        "UpdateApnsChannel",
        "UpdateGcmChannel",
        "UpdateBaiduChannel",
        "UpdateAdmChannel",
        "CreateSmsTemplate",
        "CreatePushTemplate",
        "CreateVoiceTemplate",
    )
)


def _matches(pattern: str, action: str) -> bool:
    return fnmatchcase(action.lower(), pattern.lower().replace("[", "[[]"))


@dataclass(frozen=True)
class Grant:
    """One mobiletargeting action pattern an Allow statement grants (``NotAction`` statements:
    ``pattern`` is ``NotAction [...]``), where it comes from, the email actions it covers and
    the surviving (SMS, voice, push) actions it covers."""

    pattern: str
    source: str  # "PolicyLogicalId", "RoleLogicalId inline Name", "SAM Policies of Fn"
    email_actions: tuple[str, ...]
    surviving: tuple[str, ...] = field(default=())  # sample surviving actions it covers too

    @property
    def wildcard(self) -> bool:
        return "*" in self.pattern or "?" in self.pattern or self.pattern.startswith("NotAction")

    @property
    def groups(self) -> tuple[str, ...]:
        lower = {action.lower() for action in self.email_actions}
        return tuple(
            name
            for name, actions in SUNSET_GROUPS.items()
            if any(action.lower() in lower for action in actions)
        )

    def label(self) -> str:
        return f"{self.pattern} ({self.source})"


def survivors(pattern: str) -> tuple[str, ...]:
    """Surviving actions ``pattern`` covers: itself when it names one action that is not an
    email action, else the sample ones its wildcard matches."""
    if "*" not in pattern and "?" not in pattern:
        return () if pattern.lower() in _EMAIL_LOWER else (pattern,)
    return tuple(action for action in SURVIVING_ACTIONS if _matches(pattern, action))


def _action_grant(pattern: str, source: str) -> Grant | None:
    """The grant of ``pattern`` when it covers a mobiletargeting action (an email one, or one
    that survives the sunset), else None."""
    email = tuple(action for action in EMAIL_ACTIONS if _matches(pattern, action))
    surviving = survivors(pattern) if email or pattern.lower().startswith(_PREFIX) else ()
    if not email and not surviving:
        return None
    return Grant(pattern, source, email, surviving)


def _not_action_grant(patterns: list[str], source: str) -> Grant | None:
    def allowed(action: str) -> bool:
        return not any(_matches(pattern, action) for pattern in patterns)

    email = tuple(action for action in EMAIL_ACTIONS if allowed(action))
    if not email:
        return None
    surviving = tuple(action for action in SURVIVING_ACTIONS if allowed(action))
    return Grant(f"NotAction {json.dumps(patterns)}", source, email, surviving)


def _list(value: Any, where: str) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _action_strings(value: Any, where: str) -> tuple[list[str], list[str]]:
    """Literal action patterns and intrinsic entries (rendered) of an Action/NotAction value."""
    literal: list[str] = []
    opaque: list[str] = []
    for entry in _list(value, where):
        if isinstance(entry, str):
            literal.append(entry)
        elif isinstance(entry, dict):
            opaque.append(json.dumps(entry, sort_keys=True))
        else:
            raise AssemblyError(f"{where}: an action is {type(entry).__name__}, not a string")
    return literal, opaque


def grants_of(document: Any, source: str, where: str) -> tuple[list[Grant], list[str]]:
    """The email grants of a policy document, and what cannot be read offline (an Action
    computed by an intrinsic function). ``where`` names the file and resource for errors."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except (json.JSONDecodeError, RecursionError):
            raise AssemblyError(f"{where}: the policy document is not JSON") from None
    if isinstance(document, dict) and not any(key.startswith("Fn::") for key in document):
        statements = document.get("Statement", [])
    elif isinstance(document, dict):
        return [], [f"policy document computed by {next(iter(document))} ({source})"]
    else:
        raise AssemblyError(f"{where}: the policy document is {type(document).__name__}")
    found: list[Grant] = []
    unknown: list[str] = []
    for statement in _list(statements, where):
        if not isinstance(statement, dict):
            if isinstance(statement, str | int | float | bool) or statement is None:
                raise AssemblyError(
                    f"{where}: a policy statement is {type(statement).__name__}, not an object"
                )
            continue
        if any(key.startswith("Fn::") for key in statement):
            unknown.append(f"statement computed by {next(iter(statement))} ({source})")
            continue
        effect = statement.get("Effect")
        if not isinstance(effect, str | dict):
            raise AssemblyError(f"{where}: a statement's Effect is {type(effect).__name__}")
        if effect != "Allow":
            continue
        if "NotAction" in statement:
            patterns, opaque = _action_strings(statement["NotAction"], where)
            grant = _not_action_grant(patterns, source)
        else:
            patterns, opaque = _action_strings(statement.get("Action", []), where)
            grant = None
            for pattern in patterns:
                each = _action_grant(pattern, source)
                if each is not None:
                    found.append(each)
        if grant is not None:
            found.append(grant)
        unknown += [
            f"action {entry} ({source})"
            for entry in opaque
            if "mobiletargeting" in entry or '"*"' in entry
        ]
    return found, unknown


# --- managed policies known by name ---------------------------------------------------------

# AWS managed policies whose grant is known: "*" for administrators, NotAction for power users.
_KNOWN_MANAGED = {
    "administratoraccess": ("*",),
}
_POWER_USER = "poweruseraccess"
# SAM policy templates that grant mobiletargeting actions (none of them an email action).
SAM_POLICY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "PinpointEndpointAccessPolicy": (
        f"{_PREFIX}GetEndpoint",
        f"{_PREFIX}UpdateEndpoint",
        f"{_PREFIX}UpdateEndpointsBatch",
    ),
}


def managed_policy(name_or_arn: str, source: str) -> tuple[list[Grant], list[str]]:
    """The grants of a managed policy this assembly does not define: known for the AWS managed
    administrator policies, to check in the account for customer managed ones and for AWS
    managed ones about Pinpoint or mobile; others (AWSLambdaBasicExecutionRole...) grant no
    mobiletargeting action."""
    if name_or_arn.startswith("arn:"):
        aws_managed = ":iam::aws:policy/" in name_or_arn
    elif re.fullmatch(r"[\w+=,.@-]{1,128}", name_or_arn):
        aws_managed = True  # a SAM Policies entry: an AWS managed policy by name
    else:
        return [], [f"managed policy {name_or_arn} ({source})"]
    name = name_or_arn.rsplit("/", 1)[-1].lower()
    if "$" in name or "{" in name:
        return [], [f"managed policy {name_or_arn} ({source})"]
    if aws_managed:
        if name in _KNOWN_MANAGED:
            grants = [_action_grant(p, f"{source}: {name_or_arn}") for p in _KNOWN_MANAGED[name]]
            return [g for g in grants if g is not None], []
        if name == _POWER_USER:
            grant = _not_action_grant(
                ["iam:*", "organizations:*", "account:*"], f"{source}: {name_or_arn}"
            )
            return ([grant] if grant else []), []
        if "pinpoint" in name or "mobile" in name:
            return [], [f"AWS managed policy {name_or_arn} ({source})"]
        return [], []
    return [], [f"managed policy {name_or_arn} ({source})"]
