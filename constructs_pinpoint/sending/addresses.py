"""E-mail address checks shared by messages, recipients and configuration.

The checks are deliberately conservative and follow what Amazon SES (which
also delivers Pinpoint e-mail) accepts:

* ``local@domain`` with a dot-atom local part (quoted local parts are refused);
* ASCII only: SES does not support SMTPUTF8, so an internationalised domain
  must be given in Punycode (``xn--…``) and the local part must be ASCII;
* at most 254 characters, local part at most 64, each domain label at most 63,
  at least two labels, no IP-literal domains;
* no whitespace or control characters anywhere (no header injection).

Sender-style addresses (From, Reply-To) may also carry a display name:
``Jane Doe <jane@example.com>`` or ``"Doe, Jane" <jane@example.com>``.
"""

from __future__ import annotations

import re

__all__ = ["AddressProblem", "check_address", "check_sender_address"]

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64

_ATOM_CHARS = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
_LOCAL_RE = re.compile(rf"^[{_ATOM_CHARS}]+(?:\.[{_ATOM_CHARS}]+)*$")
_LABEL_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# RFC 5322 "specials" that force a display name to be quoted.
# "." is left out: unquoted periods ("J. Doe") are common and widely accepted.
_SPECIALS = set('()<>[]:;@\\,"')


class AddressProblem(ValueError):
    """Why a string is not an acceptable address (message only, no value)."""


def check_address(value: object) -> str:
    """Return ``value`` if it is a bare ``local@domain`` address, else raise
    :class:`AddressProblem` explaining what is wrong."""
    if not isinstance(value, str):
        raise AddressProblem(f"expected a string, got {type(value).__name__}")
    if not value:
        raise AddressProblem("it is empty")
    if value != value.strip():
        raise AddressProblem("it has leading or trailing whitespace")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise AddressProblem("it contains whitespace or control characters")
    if not value.isascii():
        raise AddressProblem(
            "it contains non-ASCII characters (SES needs ASCII local parts and "
            "Punycode 'xn--' domains)"
        )
    if len(value) > MAX_ADDRESS_LENGTH:
        raise AddressProblem(f"it is longer than {MAX_ADDRESS_LENGTH} characters")
    local, sep, domain = value.rpartition("@")
    if not sep or not local or not domain:
        raise AddressProblem("it is not of the form local@domain")
    if len(local) > MAX_LOCAL_PART_LENGTH:
        raise AddressProblem(
            f"the part before '@' is longer than {MAX_LOCAL_PART_LENGTH} characters"
        )
    if not _LOCAL_RE.match(local):
        raise AddressProblem(f"the part before '@' ({local!r}) is not a valid local part")
    labels = domain.split(".")
    if len(labels) < 2:
        raise AddressProblem(f"the domain {domain!r} has no dot")
    for label in labels:
        if not _LABEL_RE.match(label):
            raise AddressProblem(f"the domain {domain!r} has an invalid label {label!r}")
    if labels[-1].isdigit():
        raise AddressProblem(f"the domain {domain!r} looks like an IP address")
    return value


def check_sender_address(value: object) -> str:
    """Like :func:`check_address`, but also accepts ``Display Name <address>``."""
    if not isinstance(value, str):
        raise AddressProblem(f"expected a string, got {type(value).__name__}")
    if not value.endswith(">") or "<" not in value:
        return check_address(value)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise AddressProblem("it contains control characters (line breaks, tabs...)")
    name_part, _, rest = value.rpartition("<")
    address = rest[:-1]
    name = name_part.strip()
    if not name:
        raise AddressProblem("the display name before '<' is empty")
    if not name.isascii():
        raise AddressProblem(
            "the display name must be printable ASCII (encode other characters as an "
            "RFC 2047 encoded-word, e.g. with email.header.Header(name, 'utf-8').encode())"
        )
    quoted = len(name) >= 2 and name[0] == '"' and name[-1] == '"'
    if quoted:
        inner = name[1:-1]
        if '"' in inner.replace('\\"', "") or inner.endswith("\\"):
            raise AddressProblem("the quoted display name contains an unescaped '\"'")
    elif any(ch in _SPECIALS for ch in name):
        raise AddressProblem(
            'the display name contains one of ()<>[]:;@\\," and must be enclosed in double quotes'
        )
    check_address(address)
    return value
