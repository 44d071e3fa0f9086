"""``RetainEmailChannels``: keep every Pinpoint email channel when its resource leaves a stack.

Since Pinpoint's end of support, DeleteEmailChannel may be refused: a native
``AWS::Pinpoint::EmailChannel`` then ends in DELETE_FAILED. With DeletionPolicy and
UpdateReplacePolicy ``Retain``, CloudFormation makes no call at all when the resource is removed
or replaced: the channel stays in Pinpoint as it was, and the stack moves on.
"""

from __future__ import annotations

from typing import cast

import aws_cdk as cdk
import jsii
from constructs import IConstruct

from .handler.contract import EMAIL_CHANNEL_TYPES

__all__ = ["EMAIL_CHANNEL_TYPES", "RetainEmailChannels"]


@jsii.implements(cdk.IAspect)
class RetainEmailChannels:
    """Sets DeletionPolicy and UpdateReplacePolicy ``Retain`` on every native
    ``AWS::Pinpoint::EmailChannel`` (``CfnEmailChannel``) and every ``EmailChannel``
    (``Custom::PinpointEmailChannel``) under the scope; other resources are left alone::

        cdk.Aspects.of(app).add(RetainEmailChannels())

    Resources are recognised by their CloudFormation type, whatever construct class made them.
    CDK applies aspects within one Stage: an aspect on the app does not reach the stacks of a
    nested ``Stage`` (aws/aws-cdk#20468), so add it to each Stage too, for instance in your
    Stage's constructor.
    """

    def visit(self, node: IConstruct) -> None:
        if cdk.CfnResource.is_cfn_resource(node):
            resource = cast(cdk.CfnResource, node)
            if resource.cfn_resource_type in EMAIL_CHANNEL_TYPES:
                resource.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
