"""The handler function's DependsOn: every policy attached to its role, whoever attached it.

The function must not run before its role has all its permissions. The provider's own policies
are known; policies others attach to the role (an ``iam.Policy`` on
``Role.from_role_name(..., provider.role_ref)``, an L1 policy, a plain ``CfnResource`` of an IAM
policy type) are found at synth by one pass over the stack's constructs, in Python: a jsii round
trip only for a policy class of aws_iam and for a plain ``CfnResource`` that is neither a channel's
resource (known to the stack's facts) nor the resource of a ``CustomResource``.

CDK resolves a template twice: to find cross-stack references (``preparing``), then to render
it. Logical ids hold no reference, so the tree is scanned for the rendering only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from constructs import IConstruct

_POLICY_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")
_POLICY_CLASSES = (iam.CfnPolicy, iam.CfnManagedPolicy, iam.CfnRolePolicy)


@jsii.implements(cdk.IAnyProducer)
class DependsOn:
    """``own()``: the logical ids of the provider's policies; ``known()``: the ``id()`` of every
    CfnResource this library made (none of them a policy someone else attached)."""

    def __init__(
        self,
        stack: cdk.Stack,
        role_ref: str,
        own: Callable[[], list[str]],
        known: Callable[[], Collection[int]],
    ) -> None:
        self._stack = stack
        self._role_ref = role_ref
        self._own = own
        self._known = known

    def produce(self, context: cdk.IResolveContext) -> Any:
        ids = self._own()
        if not context.preparing:
            found = foreign_policies(self._stack, self._role_ref, self._known())
            ids += [policy.logical_id for policy in found]
        return ids


def foreign_policies(
    stack: cdk.Stack, role_ref: str, known: Collection[int]
) -> list[cdk.CfnResource]:
    """Policies of ``stack`` that others attach to the role ``role_ref`` (its Ref)."""
    role = stack.resolve(role_ref)
    found: list[cdk.CfnResource] = []
    previous: IConstruct | None = None
    for construct in stack.node.find_all():
        before, previous = previous, construct
        if not isinstance(construct, cdk.CfnResource) or id(construct) in known:
            continue
        if isinstance(construct, _POLICY_CLASSES):
            attached = _attached_l1(construct)
        elif type(construct) is cdk.CfnResource and not isinstance(before, cdk.CustomResource):
            # A CustomResource's resource is its first child: right after it in pre-order.
            if construct.cfn_resource_type not in _POLICY_TYPES:
                continue
            attached = _attached_plain(construct)
        else:
            continue
        attached = [value for value in attached if value is not None]
        ours = role_ref in attached or (attached and role in stack.resolve(attached))
        if ours and cdk.Stack.of(construct) is stack:  # not a policy of a nested stack
            found.append(construct)
    return found


def _attached_l1(policy: cdk.CfnResource) -> list[Any]:
    if isinstance(policy, iam.CfnRolePolicy):
        return [policy.role_name]
    assert isinstance(policy, iam.CfnPolicy | iam.CfnManagedPolicy)
    return list(policy.roles or [])


def _attached_plain(resource: cdk.CfnResource) -> list[Any]:
    # A plain CfnResource's properties, as its user gave them (no public reader exists).
    properties = resource._cfn_properties or {}
    return [*(properties.get("Roles") or []), properties.get("RoleName")]
