"""User-given strings in IAM policies: a literal ``*`` or ``?`` is never a wildcard.

``*`` and ``?`` are legal in an IAM path (``arn:aws:iam::1:role/team-*/x`` names a real role), but
in a policy's Resource they match anything. IAM's escapes ``${*}``, ``${?}`` and ``${$}`` make them
literal. CDK tokens (``${Token[...]}``) are left alone: they render to values CloudFormation
knows, and only the literal text around them is escaped.
"""

from __future__ import annotations

import re

# A CDK string token, as aws-cdk-lib's Token.is_unresolved finds one (core/lib/private/encoding.ts:
# "${Token[" + VALID_KEY_CHARS + "]}", the same from 2.172 to this day); everything else in a
# string is literal text. The one pattern of the library: no jsii round trip to find a token.
STRING_TOKEN = re.compile(r"\$\{Token\[[a-zA-Z0-9:._-]+\]\}")
# A pseudo parameter's token (``cdk.Aws.PARTITION`` is ``${Token[AWS.Partition.9]}``), known by
# its display name: group 1 is the parameter's name, as in ``AWS::Partition``.
PSEUDO_PARAMETER = re.compile(r"\$\{Token\[AWS\.(Partition|Region|AccountId)\.\d+\]\}")
# What IAM reads as a wildcard or the start of a policy variable.
_SPECIAL = re.compile(r"[*?$]")


def _escape_literal(text: str) -> str:
    return _SPECIAL.sub(lambda match: "${" + match.group(0) + "}", text)


def literal_resource(arn: str) -> str:
    """``arn`` as an IAM Resource that matches exactly ``arn``: ``*``, ``?`` and ``$`` outside
    CDK tokens become ``${*}``, ``${?}`` and ``${$}``."""
    if not _SPECIAL.search(arn):
        return arn
    parts: list[str] = []
    position = 0
    for token in STRING_TOKEN.finditer(arn):
        parts.append(_escape_literal(arn[position : token.start()]))
        parts.append(token.group(0))
        position = token.end()
    parts.append(_escape_literal(arn[position:]))
    return "".join(parts)
