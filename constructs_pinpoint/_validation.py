"""Synth-time checks of EmailChannel input. Each returns problems as sentences naming the value
and the fix; unresolved tokens are skipped (their values are known only at deploy time)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

import aws_cdk as cdk

# Pragmatic address check: one @, no spaces, a dotted domain. SES does the final check.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$"
)
_DISPLAY_FORM = re.compile(r"^(?P<name>[^<>@\"]*[^\s<>@\"])\s*<(?P<address>[^<>]+)>$")
_IDENTITY_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"identity/(?P<name>[^/\s]+)$"
)
_CONFIGURATION_SET_ARN = re.compile(
    r"^arn:aws[a-z-]*:ses:[a-z0-9-]*:\d{12}:configuration-set/(?P<name>[^/\s]+)$"
)
CONFIGURATION_SET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def unresolved(value: str | None) -> bool:
    # Every string token renders as "${Token[...]}": plain strings need no jsii round trip.
    return value is not None and "${Token[" in value and cdk.Token.is_unresolved(value)


def from_address_problems(value: str) -> tuple[str | None, list[str]]:
    """The bare address in ``value`` (``addr`` or ``Display Name <addr>``) and the problems."""
    display = _DISPLAY_FORM.match(value)
    address = display["address"].strip() if display else value.strip()
    if display is None and ("<" in value or ">" in value):
        return None, [
            f"from_address {value!r} is not an email address: use 'noreply@example.com' or the "
            "display-name form 'Example Orders <noreply@example.com>' with one address in <>"
        ]
    if value != value.strip() or not _ADDRESS.match(address) or parseaddr(address)[1] != address:
        return None, [
            f"from_address {value!r} is not an email address: expected local-part@domain such as "
            "'noreply@example.com' (or 'Example Orders <noreply@example.com>')"
        ]
    return address.lower(), []


@dataclass(frozen=True)
class IdentityArn:
    partition: str
    region: str
    account: str
    name: str

    @property
    def is_email(self) -> bool:
        return "@" in self.name


def parse_identity_arn(value: str) -> tuple[IdentityArn | None, list[str]]:
    match = _IDENTITY_ARN.match(value)
    if not match:
        return None, [
            f"identity {value!r} is not an SES identity ARN: expected "
            "arn:<partition>:ses:<region>:<account>:identity/<email-or-domain>, or pass an "
            "ses.IEmailIdentity (e.g. ses.EmailIdentity.from_email_identity_name(...))"
        ]
    return IdentityArn(match["partition"], match["region"], match["account"], match["name"]), []


def coverage_problems(from_address: str, identity_name: str) -> list[str]:
    """An email identity must be the from address; a domain identity its domain or a parent."""
    identity = identity_name.lower()
    domain = from_address.rsplit("@", 1)[1]
    if "@" in identity:
        if identity != from_address:
            return [
                f"from_address {from_address!r} is not covered by email identity "
                f"{identity_name!r}: send from {identity_name!r}, or use a domain identity "
                f"for {domain!r}"
            ]
        return []
    if domain != identity and not domain.endswith("." + identity):
        return [
            f"from_address {from_address!r} is not covered by domain identity {identity_name!r}: "
            f"use an address @{identity_name} (or a subdomain of it), or an identity for {domain!r}"
        ]
    return []


def environment_problems(
    identity: IdentityArn, region: str | None, account: str | None
) -> list[str]:
    """``region``/``account`` of the stack, None where environment-agnostic."""
    problems = []
    if region is not None and identity.region != region:
        problems.append(
            f"identity region {identity.region!r} differs from the stack's region "
            f"{region!r}: Pinpoint can use only SES identities of its own region"
        )
    if account is not None and identity.account != account:
        problems.append(
            f"identity account {identity.account!r} differs from the stack's account "
            f"{account!r}: verify the identity in account {account}"
        )
    return problems


def configuration_set_problems(value: str) -> list[str]:
    arn = _CONFIGURATION_SET_ARN.match(value)
    if arn:
        return [
            f"configuration_set {value!r} is an ARN, but Pinpoint takes the configuration set "
            f"NAME: use {arn['name']!r}"
        ]
    if not CONFIGURATION_SET_NAME.match(value):
        return [
            f"configuration_set {value!r} is not an SES configuration set name: use 1-64 "
            "letters, digits, '-' or '_'"
        ]
    return []


def sending_problems(
    region: str | None,
    account: str | None,
    from_address: str,
    identity_arn: str,
    identity_name: str | None,
    configuration_set_name: str | None,
) -> list[str]:
    """Every problem with what a channel or an SES sender sends from and with."""
    problems: list[str] = []
    address: str | None = None
    if not unresolved(from_address):
        address, found = from_address_problems(from_address)
        problems += found
    if not unresolved(identity_arn):
        parsed, found = parse_identity_arn(identity_arn)
        problems += found
        if parsed is not None:
            identity_name = parsed.name
            problems += environment_problems(parsed, region, account)
    if address is not None and identity_name is not None and not unresolved(identity_name):
        problems += coverage_problems(address, identity_name)
    if configuration_set_name is not None and not unresolved(configuration_set_name):
        problems += configuration_set_problems(configuration_set_name)
    return problems
