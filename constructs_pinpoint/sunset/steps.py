"""The next step of each finding, and what follows it. Standard library only."""

from __future__ import annotations

from collections.abc import Sequence

from ..sending.config import ENV_BACKEND
from ..sending.types import DeliveryBackend
from . import guide
from .iam import Grant
from .model import Channel, FunctionFacts, Step

__all__ = [
    "DONE",
    "NOTHING_MORE",
    "RETAIN_THEN_REMOVE",
    "channel_step",
    "function_step",
    "role_step",
]

_SWITCH = "set delivery_backend=DeliveryBackend.SES_V2 on the EmailChannel, deploy"
_RETAIN = "set removal_policy=RemovalPolicy.RETAIN (or add RetainEmailChannels), deploy"
_REPLACE = "replace the EmailChannel by SesEmailSending, deploy (no Pinpoint call)"
_NATIVE_RETAIN = "add cdk.Aspects.of(scope).add(RetainEmailChannels()), deploy"
_NATIVE_SENDERS = "move the senders listed to SesEmailSending(...).configure_sender(fn), deploy"
_NATIVE_REMOVE = "remove the CfnEmailChannel from the code, deploy (retained: no Pinpoint call)"
DONE = "nothing: the move is done"
NOTHING_MORE = "nothing more for this item"
RETAIN_THEN_REMOVE = (
    "retain it (apply_removal_policy(RemovalPolicy.RETAIN)), deploy; then remove it from the "
    "code, deploy (no Pinpoint call)"
)


def channel_step(kind: str, retained: bool, senders_on_pinpoint: bool) -> Step:
    if kind == "custom":
        if senders_on_pinpoint:
            then = _REPLACE if retained else f"{_RETAIN}; then {_REPLACE}"
            return Step(_SWITCH, then, guide.STEP_SWITCH)
        if not retained:
            return Step(_RETAIN, _REPLACE, guide.STEP_RETAIN)
        return Step(_REPLACE, DONE, guide.STEP_REMOVE)
    if not retained:
        then = (
            f"{_NATIVE_SENDERS}; then {_NATIVE_REMOVE}" if senders_on_pinpoint else _NATIVE_REMOVE
        )
        return Step(_NATIVE_RETAIN, then, guide.NATIVE_RETAIN)
    if senders_on_pinpoint:
        return Step(_NATIVE_SENDERS, _NATIVE_REMOVE, guide.NATIVE_SENDERS)
    return Step(_NATIVE_REMOVE, DONE, guide.NATIVE_REMOVE)


def function_step(
    facts: FunctionFacts,
    backend: DeliveryBackend | None,
    uses: list[str],
    wired_by: Channel | None,
    role: str | None,
    wildcard: bool = False,
) -> Step:
    role_then = f"narrow or remove the email grants of its role {role} (listed)" if role else ""
    then_or_done = role_then or DONE
    if facts.backend is not None and backend is None:
        return Step(
            f"fix {ENV_BACKEND}={facts.backend!r}: the runtime refuses it (it accepts "
            f"{DeliveryBackend.SES_V2.value!r} or {DeliveryBackend.PINPOINT.value!r}); set "
            f"{DeliveryBackend.SES_V2.value!r} through SesEmailSending(...).configure_sender(fn) "
            "or EmailChannel(delivery_backend=DeliveryBackend.SES_V2), deploy",
            then_or_done,
            guide.STEP_SWITCH,
        )
    if backend is DeliveryBackend.PINPOINT:
        where = f" ({wired_by.path or wired_by.logical_id})" if wired_by else ""
        return Step(
            f"set delivery_backend=DeliveryBackend.SES_V2 on the EmailChannel that wires it"
            f"{where}, deploy: its environment and grant move to SES, its code does not change",
            "remove the channel (steps 2 and 3)",
            guide.STEP_SWITCH,
        )
    others = [use for use in uses if use != "send"]
    if backend is DeliveryBackend.SES_V2:
        if others:
            return Step(
                f"it sends through SES already; move what it does with Pinpoint "
                f"{_plural(others)} to SES (see the guide), deploy",
                then_or_done,
                guide.CAMPAIGNS,
            )
        return Step(
            "nothing in its code: it sends through SES already",
            then_or_done,
            guide.ROLES,
        )
    if "send" in uses:
        move = (
            "wire it with SesEmailSending(...).configure_sender(function) and send with "
            "constructs_pinpoint.sending (or SES v2 SendEmail), deploy"
        )
        if others:
            move += f"; move what it does with Pinpoint {_plural(others)} to SES too"
        elif wildcard:
            move += (
                "; its wildcard grant also allows campaigns, journeys and email templates: "
                "move any it manages to SES too"
            )
        return Step(move, then_or_done, guide.NATIVE_SENDERS)
    return Step(
        f"move what it does with Pinpoint {_plural(others)} to SES (SES v2 SendBulkEmail "
        "with its templates, on your own schedule), deploy",
        then_or_done,
        guide.CAMPAIGNS,
    )


def _plural(uses: Sequence[str]) -> str:
    """``["campaign", "journey"]`` -> ``campaigns and journeys``."""
    words = [f"{use}s" for use in uses]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def role_step(grants: Sequence[Grant]) -> tuple[Step, list[str], list[str]]:
    """Remove the email grants when the role holds nothing that survives the sunset; otherwise
    narrow them, naming the surviving actions to keep."""
    email = sorted({action for grant in grants for action in grant.email_actions})
    keep = list(dict.fromkeys(grant.pattern for grant in grants if grant.surviving))
    sends = any("send" in grant.groups for grant in grants)
    sms_note = (
        " (SendMessages also sends SMS, voice and push: keep it if its functions send those)"
        if sends
        else ""
    )
    email_patterns = list(dict.fromkeys(g.pattern for g in grants if g.email_actions))
    wide = [g.pattern for g in grants if g.email_actions and g.surviving]
    literal_keep = [p for p in keep if p not in wide]
    if not keep:
        step = Step(
            f"remove the grants {', '.join(email_patterns)} once the functions listed have "
            f"moved, deploy{sms_note}: the role holds nothing else on Pinpoint",
            DONE,
            guide.ROLES,
        )
        return step, email, keep
    parts = []
    literal_email = [p for p in email_patterns if p not in wide]
    if literal_email:
        parts.append(f"remove {', '.join(literal_email)}")
    if wide:
        examples = list(dict.fromkeys(a for g in grants if g.pattern in wide for a in g.surviving))[
            :3
        ]
        parts.append(
            f"replace {', '.join(wide)} by the SMS, voice or push actions its functions use "
            f"(such as {', '.join(examples)}), leaving out the email actions "
            "(*EmailChannel, *EmailTemplate, *Campaign*, *Journey*)"
        )
    if literal_keep:
        parts.append(f"keep {', '.join(literal_keep)}")
    then = (
        "remove the grant altogether if its functions use no SMS, voice or push" if wide else DONE
    )
    step = Step(f"narrow its grants: {'; '.join(parts)}{sms_note}, deploy", then, guide.ROLES)
    return step, email, keep
