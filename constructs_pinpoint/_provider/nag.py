"""cdk-nag's AwsSolutions-IAM5, acknowledged for exactly the findings that are not wildcards or
are scoped by a condition.

The ownership tags' statement grants ``apps/*`` of the stack's own account and region, for the two
ownership tag keys only (``contract.OWNERSHIP_CONDITION``): acknowledged on the role's inline
policy with that reason.

A ``*`` in a user-given ARN (legal in an IAM role path) is written ``${*}`` (``_iam``): IAM reads
it as the character, not a wildcard. cdk-nag's IAM5 rule still reports it as a wildcard. The
provider acknowledges exactly that finding, on the policy that holds the resource, with cdk-nag's
own finding id (the resource written as cdk-nag writes it: ``${x}`` as ``<x>``, a Ref as
``<Id>``, a GetAtt as ``<Id.Attribute>``); any real wildcard is still reported.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk

ESCAPED_STAR = "${*}"
REASON = (
    "A literal * of a user-given ARN (an IAM path may hold one), written escaped as ${*}: IAM "
    "matches the character itself, not a wildcard (constructs_pinpoint._iam.literal_resource)."
)
OWNERSHIP_REASON = (
    "The Custom::PinpointEmailChannel handler records which resource owns an app's email channel "
    "in two tags of the app (constructs-pinpoint:email-channel-owner and -previous-owner). It may "
    "read tags of the Pinpoint apps of its own account and region, and write or remove those two "
    "keys only (aws:TagKeys). One statement instead of one ARN per app keeps a stack of 450+ "
    "channels within IAM's policy quotas."
)
_VARIABLE = re.compile(r"\$\{(.+?)\}")


def acknowledge_escaped(policy: cdk.CfnResource, resource: str) -> None:
    """Acknowledge IAM5 for ``resource`` on ``policy`` if it holds an escaped ``*``."""
    if ESCAPED_STAR not in resource:
        return
    rendered = resource if "${Token[" not in resource else cdk.Stack.of(policy).resolve(resource)
    finding = f"AwsSolutions::AwsSolutions-IAM5[Resource::{nag_text(rendered)}]"
    validations = getattr(cdk, "Validations", None)  # aws-cdk-lib >= 2.257 (cdk-nag 3's host)
    if validations is not None:
        validations.of(policy).acknowledge(cdk.Acknowledgment(id=finding, reason=REASON))


def acknowledge_ownership_tags(policy: cdk.CfnResource, apps: str) -> None:
    """Acknowledge IAM5 for the ownership tags' statement on ``apps`` (``.../apps/*``, as
    cdk-nag writes it: pseudo parameters as ``<AWS::Region>``): for cdk-nag 3 with an
    acknowledgment, and for cdk-nag 2 (run as an aspect) with the suppression metadata its
    ``NagSuppressions`` writes."""
    finding = f"Resource::{apps}"
    policy.add_metadata(
        "cdk_nag",
        {
            "rules_to_suppress": [
                {"reason": OWNERSHIP_REASON, "id": "AwsSolutions-IAM5", "applies_to": [finding]}
            ]
        },
    )
    validations = getattr(cdk, "Validations", None)
    if validations is not None:
        validations.of(policy).acknowledge(
            cdk.Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[{finding}]", reason=OWNERSHIP_REASON
            )
        )


def nag_text(value: Any) -> str:
    """A resolved resource as cdk-nag writes it into a finding id."""
    if isinstance(value, str):
        return _VARIABLE.sub(r"<\1>", value)
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref":
            return f"<{argument}>"
        if key == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if key == "Fn::Join":
            separator, parts = argument
            return str(separator).join(nag_text(part) for part in parts)
    return str(value)
