"""How long a policy resource that holds CDK tokens can render, read in Python.

A resource ARN is a string that may hold CDK tokens (``${Token[...]}``). ``bound`` is the longest
it can be once CloudFormation substitutes every value, as IAM counts it (its literal text already
escaped by ``_iam.literal_resource``, as the provider writes it): a pseudo parameter at its longest,
any other token at what the caller knows of it (``token_max``: an app ARN, or a role ARN whose
role synth may be able to see). No jsii round trip per ARN.

The ARNs stay strings in the documents: written out as ``Fn::Join`` dicts in Python they cost
more to send through jsii than aws-cdk-lib takes to resolve them (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable

from .._iam import PSEUDO_PARAMETER, STRING_TOKEN

# Longest values, for what synth cannot see: aws-us-gov is the longest partition name, no region
# name is longer than 15 characters (the longest today has 14), an account id has 12 digits.
PARTITION_MAX = len("aws-us-gov")
REGION_MAX = 15
ACCOUNT_MAX = 12


# The pseudo parameters ARNs are composed of (_iam.PSEUDO_PARAMETER): read in Python, no jsii call.
PSEUDO_MAX = {"Partition": PARTITION_MAX, "Region": REGION_MAX, "AccountId": ACCOUNT_MAX}


def bound(value: str, token_max: Callable[[str], int]) -> int:
    """Upper bound of ``len(value)`` as IAM stores it, ``value`` already escaped (as the
    provider writes it): its literal text as is, each pseudo parameter at its longest, any other
    token at ``token_max(token)``."""
    if "${Token[" not in value:
        return len(value)
    total = 0
    position = 0
    for match in STRING_TOKEN.finditer(value):
        total += match.start() - position
        token = match.group(0)
        pseudo = PSEUDO_PARAMETER.fullmatch(token)
        total += PSEUDO_MAX[pseudo.group(1)] if pseudo else token_max(token)
        position = match.end()
    return total + len(value) - position
