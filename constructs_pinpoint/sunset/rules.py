"""What is left on Pinpoint email in a set of templates, and the next step for each finding.

Standard library only. The CLI (``python -m constructs_pinpoint.sunset``) and the synth-time
plugin (``PinpointEmailInventory``) both call :func:`findings`.

Findings, per template:

- channels: ``Custom::PinpointEmailChannel`` (ours) and ``AWS::Pinpoint::EmailChannel``;
- resources: ``AWS::Pinpoint::Campaign`` with an email message or email template,
  ``AWS::Pinpoint::EmailTemplate``, and ``AWS::Pinpoint::EventStream`` of an application whose
  only channels in the assembly are email channels (CloudFormation has no journey type: the
  functions granted journey actions stand for journeys);
- functions (``AWS::Lambda::Function``, ``AWS::Serverless::Function``) that send through
  Pinpoint (``PINPOINT_EMAIL_BACKEND=pinpoint``, normalized as the runtime does), whose backend
  value the runtime refuses, or whose role is granted email actions (send, email channel, email
  template, campaign, journey); our own channel handler is not one of them;
- roles holding email grants, once each, with the functions that use them;
- checks: what cannot be decided offline (a managed policy or role defined outside the assembly,
  a nested stack whose template is not in it, an event stream of an app with no channel in it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..handler.contract import (
    EMAIL_CHANNEL_TYPES,
    HANDLER_ENTRY,
    PROP_APPLICATION_ID,
    PROP_STRICT_DELETE,
    RESOURCE_TYPE,
    SEND_ACTIONS,
)
from ..sending.config import ENV_APPLICATION_ID, ENV_BACKEND
from ..sending.types import DeliveryBackend
from . import guide
from .assembly import AssemblyError, Template
from .iam import SUNSET_GROUPS, Grant
from .model import (
    Channel,
    Check,
    Function,
    FunctionFacts,
    PinpointResource,
    Role,
    StackInventory,
    Step,
)
from .references import Assembly, location
from .roles import OUTSIDE, RoleFacts, Roles, sam_role
from .steps import (
    NOTHING_MORE,
    RETAIN_THEN_REMOVE,
    channel_step,
    function_step,
    role_step,
)

__all__ = ["findings", "normalize_backend"]

LAMBDA = "AWS::Lambda::Function"
SAM_FUNCTION = "AWS::Serverless::Function"
CAMPAIGN = "AWS::Pinpoint::Campaign"
EMAIL_TEMPLATE = "AWS::Pinpoint::EmailTemplate"
EVENT_STREAM = "AWS::Pinpoint::EventStream"
# Channels that go on after the sunset (SMS, voice, push).
SURVIVING_CHANNEL_TYPES = frozenset(
    f"AWS::Pinpoint::{name}"
    for name in (
        "SMSChannel",
        "VoiceChannel",
        "APNSChannel",
        "APNSSandboxChannel",
        "APNSVoipChannel",
        "APNSVoipSandboxChannel",
        "GCMChannel",
        "ADMChannel",
        "BaiduChannel",
    )
)
# DeletionPolicy values under which removing the resource from a deployed stack makes no call.
_RETAINED = ("Retain", "RetainExceptOnCreate")


def normalize_backend(value: str) -> DeliveryBackend | None:
    """PINPOINT_EMAIL_BACKEND as the runtime reads it (sending/config.py: surrounding whitespace
    stripped, then an exact backend value), or None when the runtime refuses it."""
    try:
        return DeliveryBackend(value.strip())
    except ValueError:
        return None


def _uses(grants: Sequence[Grant]) -> list[str]:
    """What the email grants allow a function: each group its actions name; of a wildcard that
    covers every group (``mobiletargeting:*``, ``*``), only "send": it says nothing about
    campaigns or journeys being used."""
    groups: list[str] = []
    for grant in grants:
        named = grant.groups
        if grant.wildcard and len(named) == len(SUNSET_GROUPS):  # mobiletargeting:*, *
            named = tuple(group for group in named if group == "send")
        groups += [group for group in named if group not in groups]
    return groups


# --- functions ------------------------------------------------------------------------------


def _functions(assembly: Assembly, roles: Roles) -> list[FunctionFacts]:
    found: list[FunctionFacts] = []
    for template in assembly.templates:
        for logical_id, resource in template.of_type(LAMBDA, SAM_FUNCTION):
            where = location(template, logical_id)
            properties = template.properties(logical_id)
            environment = properties.get("Environment", {})
            if not isinstance(environment, dict):
                raise AssemblyError(f"{where}: Environment is not an object")
            variables = environment.get("Variables", {})
            if not isinstance(variables, dict):
                raise AssemblyError(f"{where}: Environment.Variables is not an object")
            backend = variables.get(ENV_BACKEND)
            role_value = properties.get("Role")
            if resource["Type"] == SAM_FUNCTION and role_value is None:
                role = sam_role(template, logical_id, properties, roles, where)
            elif role_value is None:
                role = None
            else:
                role = roles.key_of(template, role_value, where)
            handler = properties.get("Handler") == HANDLER_ENTRY
            facts = FunctionFacts(
                template,
                logical_id,
                resource["Type"],
                backend if isinstance(backend, str) else None,
                variables.get(ENV_APPLICATION_ID),
                role,
                handler,
            )
            if role is not None:
                used = roles.roles[role]
                used.functions.append((template, logical_id))
                used.handler_only &= handler
                if used.template is None and not handler and OUTSIDE not in used.unknown:
                    used.unknown.append(OUTSIDE)
            found.append(facts)
    return found


# --- the inventory --------------------------------------------------------------------------


def findings(templates: Sequence[Template]) -> list[StackInventory]:
    """Every template (nested stacks and stages included) with what is still on Pinpoint email.
    Raises :class:`AssemblyError` naming the file when a template cannot be understood."""
    try:
        return _findings(templates)
    except RecursionError:
        where = templates[0].file.parent if templates else "the assembly"
        raise AssemblyError(f"{where}: a template is nested too deeply to read") from None


def _findings(templates: Sequence[Template]) -> list[StackInventory]:
    assembly = Assembly(templates)
    roles = Roles(assembly)
    functions = _functions(assembly, roles)
    result = {str(t.file): StackInventory(t.name, str(t.file)) for t in templates}

    pinpoint_apps: set[str] = set()
    unmatched = False
    for facts in functions:
        backend = normalize_backend(facts.backend) if facts.backend is not None else None
        role = roles.roles[facts.role] if facts.role else None
        grants = role.grants if role and not facts.handler else []
        if backend is DeliveryBackend.PINPOINT:
            pinpoint_apps.add(assembly.key(facts.template, facts.application))
        elif any("send" in grant.groups for grant in grants) and backend is None:
            unmatched = True

    channel_apps: dict[str, list[str]] = {}  # application -> types of its resources
    for template in templates:
        for logical_id, resource in template.resources.items():
            properties = template.properties(logical_id)
            app = assembly.key(template, properties.get(PROP_APPLICATION_ID))
            channel_apps.setdefault(app, []).append(resource["Type"])
    email_apps = {
        app for app, types in channel_apps.items() if any(t in EMAIL_CHANNEL_TYPES for t in types)
    }
    # A sender that matches no channel (a grant with no environment of ours, or an application
    # reference this assembly cannot follow, such as an SSM parameter) could use any of them.
    unmatched = unmatched or not pinpoint_apps <= email_apps

    wiring: dict[str, Channel] = {}
    for template in templates:
        stack = result[str(template.file)]
        for logical_id, resource in template.of_type(*sorted(EMAIL_CHANNEL_TYPES, reverse=True)):
            kind = "custom" if resource["Type"] == RESOURCE_TYPE else "native"
            properties = template.properties(logical_id)
            application = properties.get(PROP_APPLICATION_ID)
            strict = properties.get(PROP_STRICT_DELETE)
            deletion = str(resource.get("DeletionPolicy", "Delete"))
            key = assembly.key(template, application)
            channel = Channel(
                kind=kind,
                type=resource["Type"],
                logical_id=logical_id,
                path=template.path(logical_id),
                application=assembly.render(template, application),
                deletion_policy=deletion,
                update_replace_policy=str(resource.get("UpdateReplacePolicy", "Delete")),
                strict_delete=None if strict is None else str(strict).lower() == "true",
                step=channel_step(kind, deletion in _RETAINED, unmatched or key in pinpoint_apps),
            )
            if kind == "custom":
                wiring.setdefault(key, channel)
            stack.channels.append(channel)
        _resources(assembly, template, stack, channel_apps)
        for logical_id in template.unresolved_nested:
            stack.checks.append(
                Check(
                    f"nested stack {logical_id}",
                    logical_id,
                    "its template is not in the assembly",
                    Step(
                        "run the inventory on the assembly that synthesizes that template, or "
                        "check its resources in the account",
                        NOTHING_MORE,
                        guide.CHECKS,
                    ),
                )
            )

    backends = {
        (str(f.template.file), f.logical_id): normalize_backend(f.backend) if f.backend else None
        for f in functions
    }
    role_names: dict[tuple[str, str], str] = {}
    for role_key, role_facts in roles.roles.items():
        if role_facts.handler_only and role_facts.functions:
            continue  # our channel handler's role: it goes with the channel
        if _wired_by_our_channel(role_facts, backends):
            continue  # the senders' step (delivery_backend=SES_V2) replaces the grant
        if not any(g.email_actions for g in role_facts.grants) and not role_facts.unknown:
            continue
        owner = role_facts.template
        home = result[str(owner.file)] if owner else None
        if home is None and role_facts.functions:
            home = result[str(role_facts.functions[0][0].file)]
        if home is None:
            continue
        display = role_facts.name if owner else f"{role_facts.name} (defined outside the assembly)"
        function_names = [
            f"{template.name}: {logical_id}" for template, logical_id in role_facts.functions
        ]
        anchor = role_facts.logical_id or (
            role_facts.functions[0][1] if role_facts.functions else None
        )
        if any(grant.email_actions for grant in role_facts.grants):
            step, email, keep = role_step(role_facts.grants)
            home.roles.append(
                Role(
                    name=display,
                    logical_id=anchor,
                    path=owner.path(role_facts.logical_id)
                    if owner and role_facts.logical_id
                    else None,
                    functions=function_names,
                    grants=list(dict.fromkeys(grant.label() for grant in role_facts.grants)),
                    email_actions=email,
                    keep=keep,
                    step=step,
                )
            )
            role_names[role_key] = display
        for unknown in dict.fromkeys(role_facts.unknown):
            home.checks.append(
                Check(
                    f"role {display}",
                    anchor,
                    f"{unknown}: not in the assembly",
                    Step(
                        "check in the account whether it allows mobiletargeting email actions "
                        "(aws iam get-policy-version / get-role-policy); narrow it if so",
                        NOTHING_MORE,
                        guide.CHECKS,
                    ),
                )
            )

    for facts in functions:
        if facts.handler:
            continue
        backend = normalize_backend(facts.backend) if facts.backend is not None else None
        role = roles.roles[facts.role] if facts.role else None
        grants = role.grants if role else []
        uses = _uses(grants)
        if backend is DeliveryBackend.PINPOINT and "send" not in uses:
            uses.insert(0, "send")
        invalid = facts.backend is not None and backend is None
        if not uses and not invalid:
            continue
        application = facts.application
        wired_by = wiring.get(assembly.key(facts.template, application)) if application else None
        role_name = role_names.get(facts.role) if facts.role else None
        result[str(facts.template.file)].functions.append(
            Function(
                logical_id=facts.logical_id,
                type=facts.type,
                path=facts.template.path(facts.logical_id),
                backend=facts.backend,
                application=None
                if application is None
                else assembly.render(facts.template, application),
                role=role_name,
                uses=uses,
                step=function_step(
                    facts,
                    backend,
                    uses,
                    wired_by,
                    role_name,
                    any(grant.wildcard and grant.email_actions for grant in grants),
                ),
            )
        )
    return list(result.values())


def _wired_by_our_channel(
    role: RoleFacts, backends: dict[tuple[str, str], DeliveryBackend | None]
) -> bool:
    """The role's only email grants are the send actions ``configure_sender`` writes, and each
    of its functions is a Pinpoint-backend sender: switching the EmailChannel to SES v2 turns
    the grant into ``ses:SendEmail`` with no edit of the role."""
    email = [grant for grant in role.grants if grant.email_actions]
    return (
        bool(role.functions)
        and not role.unknown
        and all(grant.pattern in SEND_ACTIONS for grant in email)
        and all(
            backends.get((str(t.file), lid)) is DeliveryBackend.PINPOINT
            for t, lid in role.functions
        )
    )


def _resources(
    assembly: Assembly,
    template: Template,
    stack: StackInventory,
    channel_apps: dict[str, list[str]],
) -> None:
    for logical_id, resource in template.resources.items():
        kind = resource["Type"]
        properties = template.properties(logical_id)
        application = properties.get(PROP_APPLICATION_ID)
        rendered = None if application is None else assembly.render(template, application)
        if kind == CAMPAIGN:
            detail = _email_campaign(properties, location(template, logical_id))
            if detail is None:
                continue
            step = Step(
                "send this campaign's email with SES instead (SES v2 SendBulkEmail from a "
                "function wired with SesEmailSending, run on your own schedule such as "
                "EventBridge Scheduler), deploy",
                RETAIN_THEN_REMOVE,
                guide.CAMPAIGNS,
            )
        elif kind == EMAIL_TEMPLATE:
            detail = "email template"
            name = properties.get("TemplateName")
            if isinstance(name, str):
                detail += f" {name!r}"
            step = Step(
                "copy its subject and bodies into an SES template (aws_ses.CfnTemplate) or the "
                "sender's inline content, point the senders there, deploy",
                RETAIN_THEN_REMOVE,
                guide.CAMPAIGNS,
            )
        elif kind == EVENT_STREAM:
            types = channel_apps.get(assembly.key(template, application), [])
            emails = [t for t in types if t in EMAIL_CHANNEL_TYPES]
            if any(t in SURVIVING_CHANNEL_TYPES for t in types):
                continue  # it carries SMS, voice or push events too: it stays
            if not emails:
                stack.checks.append(
                    Check(
                        f"event stream {logical_id}",
                        logical_id,
                        f"application {rendered} has no channel in the assembly: it may carry "
                        "only email events",
                        Step(
                            "check the application's channels in the account; if email is its "
                            "only channel, treat the stream as listed in the guide",
                            NOTHING_MORE,
                            guide.CHECKS,
                        ),
                    )
                )
                continue
            detail = "its application's only channels in the assembly are email channels"
            step = Step(
                "send SES events to the same destination with an SES configuration set event "
                "destination (Kinesis Data Firehose, EventBridge, SNS), deploy",
                RETAIN_THEN_REMOVE,
                guide.EVENT_STREAMS,
            )
        else:
            continue
        stack.resources.append(
            PinpointResource(
                kind={CAMPAIGN: "campaign", EMAIL_TEMPLATE: "email template"}.get(
                    kind, "event stream"
                ),
                type=kind,
                logical_id=logical_id,
                path=template.path(logical_id),
                application=rendered,
                detail=detail,
                step=step,
            )
        )


def _email_campaign(properties: dict[str, Any], where: str) -> str | None:
    """What makes a campaign an email campaign: an EmailMessage in a MessageConfiguration (its
    own, or a treatment's), or an EmailTemplate in a TemplateConfiguration."""
    found: list[str] = []
    configurations = [("", properties)]
    treatments = properties.get("AdditionalTreatments", [])
    if not isinstance(treatments, list):
        raise AssemblyError(f"{where}: AdditionalTreatments is not a list")
    configurations += [(f"treatment {i + 1} ", t) for i, t in enumerate(treatments)]
    for label, configuration in configurations:
        if not isinstance(configuration, dict):
            raise AssemblyError(f"{where}: a campaign treatment is not an object")
        message = configuration.get("MessageConfiguration", {})
        templates = configuration.get("TemplateConfiguration", {})
        for what, value in (
            ("MessageConfiguration", message),
            ("TemplateConfiguration", templates),
        ):
            if not isinstance(value, dict):
                raise AssemblyError(f"{where}: {label}{what} is not an object")
        if message.get("EmailMessage") is not None:
            found.append(f"{label}EmailMessage")
        if templates.get("EmailTemplate") is not None:
            found.append(f"{label}EmailTemplate")
    if not found:
        return None
    return "email campaign (" + ", ".join(found) + ")"
