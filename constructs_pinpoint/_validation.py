"""Synth-time checks of construct input. The value rules live in ``sending/rules.py`` (shared
with the runtime sender and the example configuration); this module adds only the token handling:
values known only at deploy time (unresolved tokens) are skipped.

Each function returns problems as sentences naming the value and the fix. Where a stack is
environment-agnostic, a literal ARN's region or account cannot be compared with the stack's:
``note_uncompared`` says so once per stack, as an info annotation (never a warning).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import aws_cdk as cdk

from ._iam import STRING_TOKEN
from .sending import rules

if TYPE_CHECKING:
    from ._stack_facts import StackFacts

__all__ = [
    "application_arn_problems",
    "application_id_problems",
    "note_first_literal",
    "note_uncompared",
    "role_problems",
    "sending_problems",
    "ses_sending_problems",
    "unresolved",
]

# Set on a stack once it has its environment-agnostic note.
_NOTED_ATTRIBUTE = "_constructs_pinpoint_environment_noted"


def unresolved(value: object) -> bool:
    """True for a string token whose value is known only at deploy time."""
    return isinstance(value, str) and STRING_TOKEN.search(value) is not None


def sending_problems(
    region: str | None,
    account: str | None,
    from_address: str,
    identity_arn: str,
    identity_name: str | None,
    configuration_set_name: str | None,
    *,
    other_account_allowed: bool = False,
) -> list[str]:
    """Every problem with what a Pinpoint channel sends from and with; the runtime sender
    (``SenderConfig.from_environ``) accepts exactly the literal values accepted here.

    ``region``/``account`` are the stack's (None where environment-agnostic);
    ``identity_name`` is the identity's literal email or domain where the identity is a
    construct (None when unknown). ``other_account_allowed`` is for SES senders, which may use
    another account's identity through SES sending authorization.
    """
    problems: list[str] = []
    address_known = not unresolved(from_address)
    if address_known:
        found = rules.sender_address_problems("from_address", from_address)
        address_known = not found
        problems += found
    if not unresolved(identity_arn):
        found = rules.identity_arn_problems(
            "identity",
            identity_arn,
            region=region,
            account=account,
            other_account_allowed=other_account_allowed,
        )
        problems += found
        parsed = rules.parse_identity_arn(identity_arn) if isinstance(identity_arn, str) else None
        if parsed is not None:
            identity_name = parsed.name
    if address_known and identity_name is not None and not unresolved(identity_name):
        problems += rules.coverage_problems("from_address", from_address, identity_name)
    if configuration_set_name is not None and not unresolved(configuration_set_name):
        problems += rules.configuration_set_problems("configuration_set", configuration_set_name)
    return problems


def ses_sending_problems(
    region: str | None,
    account: str | None,
    from_address: str,
    identity_arn: str,
    identity_name: str | None,
    configuration_set_name: str | None,
) -> list[str]:
    """:func:`sending_problems` for ``SesEmailSending``: another account's identity is allowed
    (SES sending authorization), and no message speaks of Pinpoint."""
    return sending_problems(
        region,
        account,
        from_address,
        identity_arn,
        identity_name,
        configuration_set_name,
        other_account_allowed=True,
    )


def application_id_problems(value: str) -> list[str]:
    return [] if unresolved(value) else rules.application_id_problems("application_id", value)


def application_arn_problems(
    value: str, *, region: str | None, account: str | None
) -> tuple[str | None, list[str]]:
    """(the application id, problems); the ARN's region and account must be the stack's."""
    if unresolved(value):
        return None, []
    return rules.application_arn_problems("application_arn", value, region=region, account=account)


def role_problems(
    prop: str, role_arn: str, *, region: str | None, account: str | None
) -> list[str]:
    """Errors for a role Pinpoint cannot be passed: another account's, or another partition's."""
    if unresolved(role_arn):
        return []
    return rules.role_arn_problems(prop, role_arn, region=region, account=account)


def note_uncompared(facts: StackFacts, subject: str) -> None:
    """Say once per stack, as an info annotation, that ``subject``'s region or account could not
    be compared with the stack's at synth because the stack is environment-agnostic."""
    stack = facts.stack
    if getattr(stack, _NOTED_ATTRIBUTE, False):
        return
    setattr(stack, _NOTED_ATTRIBUTE, True)
    cdk.Annotations.of(stack).add_info(
        f"{facts.path} is environment-agnostic (no account or region set): the account and "
        f"region of what its constructs are given cannot be compared with the stack's at synth, "
        f"starting with {subject}, so a mismatch would fail only at deploy time. Give the stack "
        "env=cdk.Environment(account=..., region=...) to have them checked at synth. (Said once "
        "per stack.)"
    )


def note_first_literal(facts: StackFacts, path: str, values: Iterable[tuple[str, str]]) -> None:
    """:func:`note_uncompared` for the first literal value of ``values`` (name, ARN) given to the
    construct at ``path``; tokens are deploy-time values and need no note."""
    if getattr(facts.stack, _NOTED_ATTRIBUTE, False):
        return
    for name, value in values:
        if isinstance(value, str) and not unresolved(value):
            note_uncompared(facts, f"{name} {value!r} of {path}")
            return
