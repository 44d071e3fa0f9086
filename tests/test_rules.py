"""The value rules of ``constructs_pinpoint/sending/rules.py``, one test per rule."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from constructs_pinpoint.sending import rules

ENV = {"region": "eu-west-1", "account": "111111111111"}
IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"


def test_rules_import_only_the_standard_library() -> None:
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "rules.py imports nothing of ours"
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top == "__future__" or top in sys.stdlib_module_names, name


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("eu-west-1", "aws"),
        ("us-east-1", "aws"),
        ("il-central-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
    ],
)
def test_partition_of_region(region: str, partition: str) -> None:
    assert rules.partition_of(region) == partition
    assert rules.region_problems("region", region) == []


def test_label_names_props_and_variables_as_their_readers_know_them() -> None:
    assert rules.label("from_address", "x") == "from_address 'x'"
    assert rules.label("PINPOINT_EMAIL_FROM_ADDRESS=", "x") == "PINPOINT_EMAIL_FROM_ADDRESS='x'"
    (problem,) = rules.sender_address_problems("environments.dev.from_address", "x")
    assert problem.startswith("environments.dev.from_address 'x' is not an email address")


@pytest.mark.parametrize(
    "value",
    [
        "noreply@example.com",
        "a.b+tag@mail.example.co.uk",
        "x@xn--bcher-kva.example",
        "Example Orders <noreply@example.com>",
        "Orders<noreply@example.com>",
        "J. Doe <noreply@example.com>",
        '"Doe, Jane" <noreply@example.com>',
        '"Say \\"hi\\"" <noreply@example.com>',
        '"<Orders>" <noreply@example.com>',
        "=?utf-8?q?J=C3=B6rg?= <noreply@example.com>",
    ],
)
def test_sender_addresses_accepted(value: str) -> None:
    assert rules.sender_reason(value) is None
    assert rules.sender_address_problems("from_address", value) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "it is empty"),
        ("noreply", "not of the form local-part@domain"),
        ("no reply@example.com", "whitespace"),
        (" a@example.com", "leading or trailing whitespace"),
        ("a@example.com\r\nBcc: x@example.org", "control characters"),
        ("Orders <a@example.com>\r\n", "control characters"),
        ("Orders\n <a@example.com>", "control characters"),
        ("jörg@example.com", "non-ASCII"),
        ("a@bücher.example", "non-ASCII"),
        ("Jörg <a@example.com>", "RFC 2047 encoded-word"),
        ("Doe, Jane <a@example.com>", "must be enclosed in double quotes"),
        ("A <b> <a@example.com>", "must be enclosed in double quotes"),
        ('"Doe "Jane"" <a@example.com>', "unescaped"),
        ("<a@example.com>", "display name before '<' is empty"),
        ("Orders <a@example.com", "'Name <addr>'"),
        ("Orders <a@example.com> x", "'Name <addr>'"),
        ("Orders <nope>", "the address in <>"),
        ("a@b", "has no dot"),
        ("a@1.2.3.4", "IP address"),
        ("a..b@example.com", "not a valid local part"),
        ("a@-x.example.com", "invalid label"),
        ("x" * 65 + "@example.com", "longer than 64"),
        ("a@" + "b" * 250 + ".com", "longer than 254"),
    ],
)
def test_sender_addresses_refused_with_the_reason_and_the_fix(value: str, reason: str) -> None:
    (problem,) = rules.sender_address_problems("from_address", value)
    assert problem.startswith(f"from_address {value!r} is not an email address")
    assert reason in problem
    # Each message carries a fix: its reason's own example, or the general one.
    assert "e.g." in problem or (
        "Use 'noreply@example.com' or 'Example Orders <noreply@example.com>'" in problem
    )


def test_non_strings_are_named_by_type() -> None:
    (problem,) = rules.sender_address_problems("from_address", None)
    assert "from_address None is not an email address: it is a NoneType, not a string" in problem


def test_recipient_in_display_form_is_told_to_drop_the_name() -> None:
    (problem,) = rules.recipient_problems("recipient", "Ana <ana@example.com>")
    assert "recipients are bare addresses without a display name: give 'ana@example.com'" in (
        problem
    )
    assert "whitespace" not in problem
    assert rules.recipient_problems("recipient", "ana@example.com") == []


@pytest.mark.parametrize(
    ("address", "identity", "covered"),
    [
        ("a@example.com", "example.com", True),
        ("Orders <a@Mail.Example.com>", "example.com", True),
        ("a@notexample.com", "example.com", False),
        ("a@example.com", "mail.example.com", False),
        ("Orders <orders@example.com>", "orders@example.com", True),
        ("ORDERS@example.com", "orders@example.com", True),
        ("noreply@example.com", "orders@example.com", False),
    ],
)
def test_coverage(address: str, identity: str, covered: bool) -> None:
    problems = rules.coverage_problems("from_address", address, identity)
    assert (problems == []) is covered
    if not covered:
        assert f"{identity!r}" in problems[0]


def test_identity_arn_forms() -> None:
    assert rules.identity_arn_problems("identity", IDENTITY, **ENV) == []
    (problem,) = rules.identity_arn_problems("identity", "example.com")
    assert "'example.com' is not an SES identity ARN" in problem and "arn:aws:ses:" in problem
    parsed = rules.parse_identity_arn("arn:aws:ses:eu-west-1:111111111111:identity/a@b.com")
    assert parsed is not None and parsed.is_email


@pytest.mark.parametrize(
    ("name", "reason"),
    [("example", "has no dot"), ("bücher.example", "Punycode"), ("a@b@example.com", "local")],
)
def test_identity_name_is_an_address_or_a_domain(name: str, reason: str) -> None:
    (problem,) = rules.identity_arn_problems(
        "identity", f"arn:aws:ses:eu-west-1:111111111111:identity/{name}"
    )
    assert "neither an email address nor a domain" in problem and reason in problem


def test_domain_reason() -> None:
    assert rules.domain_reason("mail.example.com") is None
    assert rules.domain_reason("xn--bcher-kva.example") is None
    assert "IP address" in (rules.domain_reason("10.0.0.1") or "")


def test_identity_arn_partition_must_match_its_region() -> None:
    (problem,) = rules.identity_arn_problems(
        "identity", "arn:aws:ses:cn-north-1:111111111111:identity/example.com"
    )
    assert "partition 'aws' does not match its own region 'cn-north-1'" in problem
    assert "arn:aws-cn:" in problem


def test_identity_region_and_account_against_the_stack() -> None:
    other = "arn:aws:ses:us-east-1:222222222222:identity/example.com"
    region, account = rules.identity_arn_problems("identity", other, **ENV)
    assert "identity region 'us-east-1' differs from the stack's region 'eu-west-1'" in region
    assert "identity account '222222222222' differs" in account
    assert "SesEmailSending" in account
    (only_region,) = rules.identity_arn_problems(
        "identity", other, other_account_allowed=True, **ENV
    )
    assert "Pinpoint" not in only_region and "region" in only_region


def test_configuration_set() -> None:
    assert rules.configuration_set_problems("configuration_set", "tx-events_1") == []
    (arn,) = rules.configuration_set_problems(
        "configuration_set", "arn:aws:ses:eu-west-1:111111111111:configuration-set/orders"
    )
    assert "is an ARN" in arn and "use 'orders'" in arn
    for bad in ("", "has space", "x" * 65, "dots.not.allowed", None):
        (problem,) = rules.configuration_set_problems("configuration_set", bad)
        assert "1-64 letters" in problem


def test_application_id() -> None:
    assert rules.application_id_problems("application_id", "0123456789abcdef" * 2) == []
    (upper,) = rules.application_id_problems("application_id", "0123456789ABCDEF" * 2)
    assert "32 lowercase hexadecimal" in upper and "use '0123456789abcdef" in upper
    (arn,) = rules.application_id_problems(
        "application_id", "arn:aws:mobiletargeting:eu-west-1:111111111111:apps/" + "a" * 32
    )
    assert "from_application_arn" in arn


def test_application_arn() -> None:
    app_id = "0123456789abcdef" * 2
    arn = f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{app_id}"
    assert rules.application_arn_problems("application_arn", arn, **ENV) == (app_id, [])
    _, (region,) = rules.application_arn_problems(
        "application_arn", arn.replace("eu-west-1", "us-east-1"), **ENV
    )
    assert "region 'us-east-1' differs from the stack's region 'eu-west-1'" in region
    _, (account,) = rules.application_arn_problems(
        "application_arn", arn.replace("111111111111", "222222222222"), **ENV
    )
    assert "account '222222222222' differs" in account
    _, (partition,) = rules.application_arn_problems(
        "application_arn", arn.replace("arn:aws:", "arn:aws-cn:")
    )
    assert "partition 'aws-cn' does not match its own region 'eu-west-1'" in partition
    for bad in (f"arn:aws:mobiletargeting::111111111111:apps/{app_id}", "apps/x", None):
        assert rules.application_arn_problems("application_arn", bad)[0] is None


def test_role_arn() -> None:
    role = "arn:aws:iam::111111111111:role/service-role/pinpoint-events"
    assert rules.role_arn_problems("role", role, **ENV) == []
    (other,) = rules.role_arn_problems("role", role.replace("1111", "9999", 1), **ENV)
    assert "iam:PassRole" in other and "create the role in account 111111111111" in other
    (partition,) = rules.role_arn_problems("role", role.replace(":aws:", ":aws-us-gov:"), **ENV)
    assert "partition 'aws-us-gov' does not match the stack's region 'eu-west-1'" in partition
    (bad,) = rules.role_arn_problems("role", "arn:aws:iam::111111111111:user/x")
    assert "is not an IAM role ARN" in bad


def test_region_and_account() -> None:
    assert rules.account_problems("account", "111111111111") == []
    assert "12 digits" in rules.account_problems("account", 111111111111)[0]
    assert "not an AWS region" in rules.region_problems("region", "Europe")[0]


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (rules.configuration_set_problems, "orders\n"),
        (rules.application_id_problems, "0123456789abcdef" * 2 + "\n"),
        (rules.account_problems, "111111111111\n"),
        (rules.account_problems, "\u0661" * 12),  # ARABIC-INDIC DIGIT ONE
        (rules.region_problems, "eu-west-1\n"),
        (rules.identity_arn_problems, IDENTITY + "\n"),
        (rules.role_arn_problems, "arn:aws:iam::111111111111:role/r\n"),
        (rules.role_arn_problems, "arn:aws:iam::111111111111:role/rôle"),
        (rules.sender_address_problems, "noreply@example.com\n"),
    ],
)
def test_a_trailing_newline_or_a_non_ascii_digit_is_never_accepted(
    check: object, value: str
) -> None:
    assert callable(check)
    found = check("field", value)
    problems = found[1] if isinstance(found, tuple) else found
    assert problems, value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Hello", None),
        ("Grüße, Zoë", None),
        ("a\rb", "carriage return (CR)"),
        ("a\nb", "line feed (LF)"),
        ("a\tb", "U+0009"),
        ("a\x00b", "U+0000"),
        ("a\x7fb", "U+007F"),
        ("a\x85b", "U+0085"),
        ("a\u2028b", "U+2028"),
    ],
)
def test_control_character_reason_covers_c0_del_c1_and_unicode_line_breaks(
    value: str, reason: str | None
) -> None:
    found = rules.control_character_reason(value)
    assert (found is None) if reason is None else (found is not None and reason in found)


def test_a_trailing_nel_in_a_display_name_is_refused_not_stripped() -> None:
    # str.strip() treats U+0085 as whitespace: the check must run before any stripping.
    assert rules.sender_reason("Ana\x85 <ana@example.com>") is not None
    assert rules.sender_reason("Ana <ana@example.com>") is None


@pytest.mark.parametrize(
    ("value", "fine"),
    [
        ("campaign_2027-spring", True),
        ("a" * 256, True),
        ("a" * 257, False),
        ("", False),
        ("a b", False),
        ("ä", False),
        ("ses:tag", False),
        (5, False),
    ],
)
def test_tag_reason_follows_the_ses_tag_rules(value: object, fine: bool) -> None:
    assert (rules.tag_reason(value) is None) is fine


def test_shorten_keeps_short_values_and_cuts_long_ones() -> None:
    assert rules.shorten("abc") == "'abc'"
    cut = rules.shorten("x" * 500)
    assert len(cut) <= 60 and cut.endswith("...'")
