"""The value rules, in one place: synth, the runtime sender and the example configuration call them.

Standard library only, importing nothing else of ours: it sits at the bottom of the import graph
and ships in the sending Lambda layer.

Every ``*_problems`` function returns a list of sentences (empty when the value is fine), each
naming the value and the fix. ``field`` names the value the way its reader knows it: a construct
prop (``from_address``), a configuration key (``environments.dev.from_address``), or an
environment variable written with a trailing ``=`` (``PINPOINT_EMAIL_FROM_ADDRESS=``), which
renders as ``PINPOINT_EMAIL_FROM_ADDRESS='x'``.

The address rules follow what Amazon SES (which also delivers Pinpoint email) accepts:

* a bare address is ``local@domain`` with a dot-atom local part (no quoted local parts), ASCII only
  (SES has no SMTPUTF8: internationalised domains in Punycode ``xn--``), at most 254 characters,
  local part at most 64, at least two domain labels of at most 63, no IP-literal domains;
* a sender (From, Reply-To) may carry a display name, ``Name <addr>``; the name is printable ASCII
  (other characters as an RFC 2047 encoded-word), and one with any of ``()<>[]:;@\\,"`` is quoted:
  ``"Doe, Jane" <addr>``;
* no control characters anywhere (no header injection), and no surrounding whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_ADDRESS_LENGTH",
    "MAX_LOCAL_PART_LENGTH",
    "MAX_TAG_LENGTH",
    "IdentityArn",
    "a_type",
    "account_problems",
    "address_reason",
    "application_arn_problems",
    "application_id_problems",
    "bare_address",
    "configuration_set_problems",
    "control_character_reason",
    "coverage_problems",
    "domain_reason",
    "identity_arn_problems",
    "label",
    "parse_identity_arn",
    "partition_of",
    "recipient_problems",
    "recipient_reason",
    "region_problems",
    "role_arn_problems",
    "sender_address_problems",
    "sender_reason",
    "shorten",
    "tag_reason",
]

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
ADDRESS_EXAMPLE = "'noreply@example.com' or 'Example Orders <noreply@example.com>'"

_ATOM_CHARS = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
_LOCAL = re.compile(rf"^[{_ATOM_CHARS}]+(?:\.[{_ATOM_CHARS}]+)*\Z")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
# RFC 5322 specials that force a display name into quotes. "." is left out: unquoted periods
# ("J. Doe") are common, and SES accepts them.
_SPECIALS = frozenset('()<>[]:;@\\,"')

# SES message tags (EmailTags, DefaultEmailTags, ReplacementTags): names and values are ASCII
# letters, digits, '_' and '-', at most 256 characters.
MAX_TAG_LENGTH = 256
_TAG = re.compile(r"^[A-Za-z0-9_-]{1,256}\Z")

_ACCOUNT = re.compile(r"^[0-9]{12}\Z")
_REGION = re.compile(r"^[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}\Z")
_PARTITION = r"aws(?:-[a-z]+)*"
_IDENTITY_ARN = re.compile(
    rf"^arn:(?P<partition>{_PARTITION}):ses:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{{12}}):"
    r"identity/(?P<name>[^/\s]+)\Z"
)
_CONFIGURATION_SET_ARN = re.compile(
    rf"^arn:{_PARTITION}:ses:[a-z0-9-]*:[0-9]{{12}}:configuration-set/(?P<name>[^/\s]+)\Z"
)
_CONFIGURATION_SET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")
_APPLICATION_ID = re.compile(r"^[0-9a-f]{32}\Z")
_APPLICATION_ARN = re.compile(
    rf"^arn:(?P<partition>{_PARTITION}):mobiletargeting:(?P<region>[a-z0-9-]*):"
    r"(?P<account>[0-9]{12}):apps/(?P<id>[^/]+)\Z"
)
_ROLE_ARN = re.compile(
    rf"^arn:(?P<partition>{_PARTITION}):iam::(?P<account>[0-9]{{12}}):"
    r"role/(?:[\x21-\x7e]*/)?(?P<name>[A-Za-z0-9_+=,.@-]{1,64})\Z"
)

# Region prefixes of the partitions other than "aws", longest first.
_PARTITION_PREFIXES = (
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("eusc-", "aws-eusc"),
    ("cn-", "aws-cn"),
)


def a_type(value: object) -> str:
    """``value``'s type with its article: "an int", "a NoneType"."""
    name = type(value).__name__
    return f"an {name}" if name[0] in "aeiouAEIOU" else f"a {name}"


def label(field: str, value: object) -> str:
    """How a message names ``value``: ``from_address 'x'``, or ``VARIABLE='x'``."""
    return f"{field}{value!r}" if field.endswith("=") else f"{field} {value!r}"


def partition_of(region: str) -> str:
    """The partition of ``region``: ``aws-cn`` for ``cn-*``, ``aws-us-gov`` for ``us-gov-*``..."""
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


def shorten(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters with an ellipsis, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _is_control(ch: str) -> bool:
    code = ord(ch)
    # C0, DEL, C1 (U+0085 NEL among them), and the Unicode line and paragraph separators.
    return code < 32 or 127 <= code < 160 or code in (0x2028, 0x2029)


def control_character_reason(value: str) -> str | None:
    """Why ``value`` cannot go into a mail header (CR, LF or another control character), or None."""
    for ch in value:
        if _is_control(ch):
            kind = {"\r": "a carriage return (CR)", "\n": "a line feed (LF)"}.get(
                ch, f"the control character U+{ord(ch):04X}"
            )
            return f"it contains {kind}, which would break or inject a mail header"
    return None


def tag_reason(value: object) -> str | None:
    """Why ``value`` is not an SES message tag name or value, or None."""
    if not isinstance(value, str):
        return f"it is {a_type(value)}, not a string"
    if _TAG.match(value):
        return None
    if not value:
        return "it is empty"
    if len(value) > MAX_TAG_LENGTH:
        return f"it is longer than {MAX_TAG_LENGTH} characters"
    bad = sorted({ch for ch in value if not (ch.isascii() and (ch.isalnum() or ch in "_-"))})
    return f"it contains {''.join(bad)!r}: SES tags allow only ASCII letters, digits, '_' and '-'"


# Addresses: the *_reason functions return why a value is refused (None when it is fine).


def address_reason(value: object) -> str | None:
    """Why ``value`` is not a bare ``local@domain`` address, or None."""
    if not isinstance(value, str):
        return f"it is {a_type(value)}, not a string"
    if not value:
        return "it is empty"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "it contains control characters (line breaks, tabs...)"
    if value != value.strip():
        return "it has leading or trailing whitespace"
    if any(ch.isspace() for ch in value):
        return "it contains whitespace"
    if not value.isascii():
        return (
            "it contains non-ASCII characters (SES needs an ASCII local part and a Punycode "
            "'xn--' domain)"
        )
    if len(value) > MAX_ADDRESS_LENGTH:
        return f"it is longer than {MAX_ADDRESS_LENGTH} characters"
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        return "it is not of the form local-part@domain"
    if len(local) > MAX_LOCAL_PART_LENGTH:
        return f"the part before '@' is longer than {MAX_LOCAL_PART_LENGTH} characters"
    if not _LOCAL.match(local):
        return f"the part before '@' ({local!r}) is not a valid local part"
    return domain_reason(domain)


def domain_reason(domain: object) -> str | None:
    """Why ``domain`` is not a DNS domain SES can verify (ASCII, Punycode), or None."""
    if not isinstance(domain, str):
        return f"the domain is {a_type(domain)}, not a string"
    if not domain.isascii():
        return f"the domain {domain!r} is not ASCII: give it in Punycode ('xn--...')"
    labels = domain.split(".")
    if len(labels) < 2:
        return f"the domain {domain!r} has no dot"
    for part in labels:
        if not _LABEL.match(part):
            return f"the domain {domain!r} has an invalid label {part!r}"
    if labels[-1].isdigit():
        return f"the domain {domain!r} looks like an IP address"
    return None


def _looks_like_display_form(value: str) -> bool:
    return "<" in value or ">" in value


def sender_reason(value: object) -> str | None:
    """Why ``value`` is neither ``addr`` nor ``Name <addr>``, or None."""
    if not isinstance(value, str) or not _looks_like_display_form(value):
        return address_reason(value)
    # C1 controls too: str.strip() would silently drop a trailing NEL (U+0085).
    if any(_is_control(ch) for ch in value):
        return "it contains control characters (line breaks, tabs...)"
    if value != value.strip():
        return "it has leading or trailing whitespace"
    if not value.endswith(">") or "<" not in value:
        return "it is not of the form 'Name <addr>': one address in <>, at the end"
    name_part, _, rest = value.rpartition("<")
    name = name_part.strip()
    if not name:
        return "the display name before '<' is empty: give a name, or the bare address"
    if not name.isascii():
        return (
            "the display name is not ASCII: encode it as an RFC 2047 encoded-word, e.g. "
            "email.header.Header(name, 'utf-8').encode()"
        )
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        inner = name[1:-1]
        if '"' in inner.replace('\\"', "") or inner.replace("\\\\", "").endswith("\\"):
            return "the quoted display name contains an unescaped '\"': write it as \\\""
    elif any(ch in _SPECIALS for ch in name):
        return (
            'the display name contains one of ()<>[]:;@\\," and must be enclosed in double '
            "quotes, e.g. '\"Doe, Jane\" <jane@example.com>'"
        )
    reason = address_reason(rest[:-1])
    return None if reason is None else f"the address in <>: {reason}"


def recipient_reason(value: object) -> str | None:
    """Why ``value`` is not a bare recipient address, or None."""
    if isinstance(value, str) and value.endswith(">") and "<" in value:
        bare = value.rpartition("<")[2][:-1]
        return (
            f"recipients are bare addresses without a display name: give {bare!r}, and put "
            "names in the message itself"
        )
    return address_reason(value)


def bare_address(value: str) -> str:
    """The address of an accepted sender value: ``addr`` of ``Name <addr>``, or ``value``."""
    if value.endswith(">") and "<" in value:
        return value.rpartition("<")[2][:-1]
    return value


def sender_address_problems(field: str, value: object) -> list[str]:
    reason = sender_reason(value)
    if reason is None:
        return []
    fix = "" if "e.g." in reason else f". Use {ADDRESS_EXAMPLE}"
    return [f"{label(field, value)} is not an email address: {reason}{fix}"]


def recipient_problems(field: str, value: object) -> list[str]:
    reason = recipient_reason(value)
    if reason is None:
        return []
    return [f"{label(field, value)} is not a recipient address: {reason}"]


def coverage_problems(field: str, from_address: str, identity_name: str) -> list[str]:
    """An email identity must be the from address; a domain identity its domain or a parent.

    ``from_address`` is an accepted sender value; the comparison ignores case.
    """
    address = bare_address(from_address).lower()
    identity = identity_name.lower()
    domain = address.rsplit("@", 1)[-1]
    if "@" in identity:
        if identity == address:
            return []
        return [
            f"{label(field, address)} is not covered by email identity {identity_name!r}: "
            f"send from {identity_name!r}, or use a domain identity for {domain!r}"
        ]
    if domain == identity or domain.endswith("." + identity):
        return []
    return [
        f"{label(field, address)} is not covered by domain identity {identity_name!r}: use an "
        f"address @{identity_name} (or a subdomain of it), or an identity for {domain!r}"
    ]


# ARNs, names and ids.


@dataclass(frozen=True)
class IdentityArn:
    partition: str
    region: str
    account: str
    name: str

    @property
    def is_email(self) -> bool:
        return "@" in self.name


def parse_identity_arn(value: str) -> IdentityArn | None:
    match = _IDENTITY_ARN.match(value)
    if match is None:
        return None
    return IdentityArn(match["partition"], match["region"], match["account"], match["name"])


def _partition_problems(field: str, partition: str, region: str, whose: str) -> list[str]:
    expected = partition_of(region)
    if partition == expected:
        return []
    return [
        f"{field} partition {partition!r} does not match {whose} region {region!r}, which is in "
        f"partition {expected!r}: use arn:{expected}:..."
    ]


def identity_arn_problems(
    field: str,
    value: object,
    *,
    region: str | None = None,
    account: str | None = None,
    other_account_allowed: bool = False,
) -> list[str]:
    """An SES identity ARN, of ``region``/``account`` where given (None: not compared).

    ``other_account_allowed``: SES sending authorization lets a sender use another account's
    identity; a Pinpoint channel uses only identities of its own account.
    """
    parsed = parse_identity_arn(value) if isinstance(value, str) else None
    if parsed is None:
        return [
            f"{label(field, value)} is not an SES identity ARN: expected "
            "arn:<partition>:ses:<region>:<account>:identity/<email-or-domain>, e.g. "
            "'arn:aws:ses:eu-west-1:111111111111:identity/example.com'"
        ]
    reason = address_reason(parsed.name) if parsed.is_email else domain_reason(parsed.name)
    if reason is not None:
        return [
            f"{label(field, value)} is not an SES identity ARN: its identity {parsed.name!r} is "
            f"neither an email address nor a domain ({reason})"
        ]
    problems = _partition_problems(field, parsed.partition, parsed.region, "its own")
    if region is not None and parsed.region != region:
        problems.append(
            f"{field} region {parsed.region!r} differs from the stack's region {region!r}: "
            f"SES identities are regional; verify the identity in {region} and use its ARN"
        )
    if account is not None and parsed.account != account and not other_account_allowed:
        problems.append(
            f"{field} account {parsed.account!r} differs from the stack's account {account!r}: "
            f"the Pinpoint channel uses only identities of its own account; verify the identity "
            f"in account {account}, or send with SesEmailSending (SES sending authorization "
            "allows another account's identity)"
        )
    return problems


def configuration_set_problems(field: str, value: object) -> list[str]:
    if isinstance(value, str):
        arn = _CONFIGURATION_SET_ARN.match(value)
        if arn:
            return [
                f"{label(field, value)} is an ARN, but a configuration set is given by NAME: "
                f"use {arn['name']!r}"
            ]
        if _CONFIGURATION_SET_NAME.match(value):
            return []
    return [
        f"{label(field, value)} is not an SES configuration set name: use 1-64 letters, digits, "
        "'-' or '_'"
    ]


def application_id_problems(field: str, value: object) -> list[str]:
    if isinstance(value, str) and _APPLICATION_ID.match(value):
        return []
    hint = ""
    if isinstance(value, str) and value.startswith("arn:"):
        hint = "; for an ARN use PinpointApp.from_application_arn"
    elif isinstance(value, str) and _APPLICATION_ID.match(value.strip().lower()):
        hint = f"; use {value.strip().lower()!r}"
    return [
        f"{label(field, value)} is not a Pinpoint application id: expected 32 lowercase "
        f"hexadecimal characters, shown as 'Project ID' in the console{hint}"
    ]


def application_arn_problems(
    field: str, value: object, *, region: str | None = None, account: str | None = None
) -> tuple[str | None, list[str]]:
    """(the application id, problems) of a Pinpoint application ARN of ``region``/``account``."""
    match = _APPLICATION_ARN.match(value) if isinstance(value, str) else None
    if match is None or not _APPLICATION_ID.match(match["id"]) or not match["region"]:
        return None, [
            f"{label(field, value)} is not a Pinpoint application ARN: expected "
            "arn:<partition>:mobiletargeting:<region>:<account>:apps/<id> with a 32-hex-digit id"
        ]
    problems = _partition_problems(field, match["partition"], match["region"], "its own")
    if region is not None and match["region"] != region:
        problems.append(
            f"{field} region {match['region']!r} differs from the stack's region {region!r}: "
            "the channel's handler calls Pinpoint in its own region; import the application in "
            f"a stack of {match['region']}, or use an application of {region}"
        )
    if account is not None and match["account"] != account:
        problems.append(
            f"{field} account {match['account']!r} differs from the stack's account "
            f"{account!r}: the handler can manage channels of its own account only; import the "
            f"application in a stack of account {match['account']}"
        )
    return match["id"], problems


def role_arn_problems(
    field: str, value: object, *, region: str | None = None, account: str | None = None
) -> list[str]:
    """An IAM role ARN that Pinpoint can be passed from a stack of ``region``/``account``."""
    match = _ROLE_ARN.match(value) if isinstance(value, str) else None
    if match is None:
        return [
            f"{label(field, value)} is not an IAM role ARN: expected "
            "arn:<partition>:iam::<account>:role/<name>"
        ]
    problems = []
    if region is not None:
        problems += _partition_problems(field, match["partition"], region, "the stack's")
    if account is not None and match["account"] != account:
        problems.append(
            f"{field} {value!r} is in account {match['account']}, not the stack's account "
            f"{account}: IAM refuses to pass (iam:PassRole) a role of another account to "
            f"Pinpoint; create the role in account {account}"
        )
    return problems


def region_problems(field: str, value: object) -> list[str]:
    if isinstance(value, str) and _REGION.match(value):
        return []
    return [f"{label(field, value)} is not an AWS region: expected e.g. 'eu-west-1'"]


def account_problems(field: str, value: object) -> list[str]:
    if isinstance(value, str) and _ACCOUNT.match(value):
        return []
    return [f"{label(field, value)} is not an AWS account id: expected 12 digits, as a string"]
