"""How many characters each resource of the handler role's policies can take, at worst.

IAM counts a policy's characters with every value CloudFormation substitutes, so each resource is
bounded before it is placed (``policies.Shards``): literal text as the provider writes it
(escaped), pseudo parameters at their longest (``tokens``), and any other token by what synth can
see of it:

* an app ARN that is a token (a ``PinpointApp`` of this app, an imported ARN that is a
  parameter): ``arn:<partition>:mobiletargeting:<region>:<account>:apps/<32-character id>``;
* a role ARN that refers to an ``iam.CfnRole`` (an ``iam.Role`` of this app, in this stack or
  another): its literal path and name, each at its longest where it is itself a token (IAM: a
  path up to 512 characters, a name up to 64);
* any other role ARN token: ``arn:<partition>:iam::<account>:role`` + 512 + 64 characters.

A role is looked up once per distinct ARN (a few jsii round trips); app ARNs never are.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from .._iam import STRING_TOKEN, literal_resource
from . import tokens
from .tokens import ACCOUNT_MAX, PARTITION_MAX, REGION_MAX

APP_ID_MAX = 32  # Pinpoint project ids are 32 hexadecimal characters
APP_ARN_MAX = (
    len("arn::mobiletargeting:::apps/") + PARTITION_MAX + REGION_MAX + ACCOUNT_MAX + APP_ID_MAX
)
APPS_ARN_MAX = len("arn::mobiletargeting:::apps/*") + PARTITION_MAX + REGION_MAX + ACCOUNT_MAX
CHANNEL_SUFFIX = "/channels/email"
ROLE_PATH_MAX = 512
ROLE_NAME_MAX = 64
_ROLE_ARN_FIXED = len("arn::iam:::role") + PARTITION_MAX + ACCOUNT_MAX
ROLE_ARN_MAX = _ROLE_ARN_FIXED + ROLE_PATH_MAX + ROLE_NAME_MAX
# CloudFormation names the log group <stack>-<logical id>-<suffix> (stack names <= 128).
LOG_GROUP_ARN_MAX = len("arn::logs:::log-group::*") + PARTITION_MAX + REGION_MAX + ACCOUNT_MAX + 200
STACK_ID_MAX = (
    len("arn::cloudformation:::stack//") + PARTITION_MAX + REGION_MAX + ACCOUNT_MAX + 128 + 36
)


def item_chars(rendered: int) -> int:
    """A resource of ``rendered`` characters as one item of a JSON list: quotes and comma."""
    return rendered + 3


def app_arn_chars(application_arn: str) -> int:
    """Bound of an (escaped) application ARN."""
    return tokens.bound(application_arn, lambda _token: APP_ARN_MAX)


def role_grant(role_arn: str) -> tuple[str, int]:
    """An (escaped) role ARN as the PassRole grant writes it, and its bound.

    A role of this app whose literal path holds ``*`` or ``?`` (legal in a path) would render
    through its GetAtt Arn as a wildcard: its ARN is then written out from its escaped path."""
    role: iam.CfnRole | None = None
    if STRING_TOKEN.fullmatch(role_arn):
        role = _role_of(role_arn)
        if role is not None and role.path and not STRING_TOKEN.search(role.path):
            escaped = literal_resource(role.path)
            if escaped != role.path:
                name = role.role_name
                if not name or STRING_TOKEN.search(name):
                    name = role.ref  # a role's Ref is its name
                stack = cdk.Stack.of(role)
                written = f"arn:{stack.partition}:iam::{stack.account}:role{escaped}{name}"
                # Its only other tokens: the name (a Ref), and an account of another stack.
                return written, tokens.bound(written, lambda _token: ROLE_NAME_MAX)
    return role_arn, tokens.bound(role_arn, lambda token: _role_token_chars(token, role))


def _role_of(token: str) -> iam.CfnRole | None:
    reference = cdk.Tokenization.reverse(token)
    target = reference.target if isinstance(reference, cdk.Reference) else None
    return target if isinstance(target, iam.CfnRole) else None


def _role_token_chars(token: str, role: iam.CfnRole | None) -> int:
    role = role or _role_of(token)
    if role is None:
        return ROLE_ARN_MAX
    path, name = role.path, role.role_name
    path_chars = 1 if path is None else _literal_chars(path, ROLE_PATH_MAX)  # "/" by default
    return _ROLE_ARN_FIXED + path_chars + _literal_chars(name, ROLE_NAME_MAX)


def _literal_chars(value: str | None, longest: int) -> int:
    if not value or STRING_TOKEN.search(value):
        return longest
    return len(literal_resource(value))
