"""EmailMessage validation, address checks and recipient normalisation (no AWS calls)."""

from __future__ import annotations

import dataclasses
import email.message
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_pinpoint.sending import (
    EmailMessage,
    EmailMessageError,
    PinpointEmailSender,
    RecipientError,
    RecipientKind,
    SesV2EmailSender,
)
from constructs_pinpoint.sending.addresses import (
    AddressProblem,
    check_address,
    check_sender_address,
)
from constructs_pinpoint.sending.sender import normalize_addresses, normalize_ids


def simple(**overrides: Any) -> EmailMessage:
    fields: dict[str, Any] = {"subject": "s", "text_body": "t", **overrides}
    return EmailMessage(**fields)


# --- content -----------------------------------------------------------------


def test_raw_and_simple_together_are_refused() -> None:
    with pytest.raises(EmailMessageError, match="not both"):
        EmailMessage(subject="s", raw_mime=b"Subject: x\r\n\r\nbody")


def test_no_content_is_refused() -> None:
    with pytest.raises(EmailMessageError, match="no content"):
        EmailMessage(from_address="a@example.com")


@pytest.mark.parametrize("subject", [None, "", "   "])
def test_empty_subject_is_refused(subject: str | None) -> None:
    with pytest.raises(EmailMessageError, match="subject must be a non-empty string"):
        EmailMessage(subject=subject, text_body="body")


def test_subject_with_line_break_is_refused() -> None:
    with pytest.raises(EmailMessageError, match="carriage return"):
        simple(subject="Hi\r\nBcc: victim@example.com")


def test_body_is_required_and_empty_bodies_are_refused() -> None:
    with pytest.raises(EmailMessageError, match="html_body and/or text_body"):
        EmailMessage(subject="s")
    with pytest.raises(EmailMessageError, match="html_body is empty"):
        EmailMessage(subject="s", html_body="")


def test_charset_must_exist_and_encode_every_part() -> None:
    with pytest.raises(EmailMessageError, match="not a known character set"):
        simple(charset="no-such-charset")
    with pytest.raises(EmailMessageError, match="'€'"):
        simple(text_body="price: 5€", charset="ISO-8859-1")
    assert simple(text_body="Grüße", charset="ISO-8859-1").charset == "ISO-8859-1"


def test_raw_mime_checks() -> None:
    with pytest.raises(EmailMessageError, match="must be bytes"):
        EmailMessage(raw_mime="Subject: x\r\n\r\nbody")  # type: ignore[arg-type]
    with pytest.raises(EmailMessageError, match="empty"):
        EmailMessage(raw_mime=b"  ")
    with pytest.raises(EmailMessageError, match="no blank line"):
        EmailMessage(raw_mime=b"Subject: x")
    mime = email.message.EmailMessage()
    mime["Subject"] = "hello"
    mime.set_content("body")
    assert EmailMessage(raw_mime=mime.as_bytes()).is_raw


def test_substitutions_are_normalised_and_frozen() -> None:
    names = ["Ana"]
    message = simple(substitutions={"Name": names, "Code": "42"})
    names.append("mutated later")
    assert dict(message.substitutions) == {"Name": ("Ana",), "Code": ("42",)}
    with pytest.raises(TypeError):
        message.substitutions["Name"] = ("x",)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.subject = "changed"  # type: ignore[misc]
    assert hash(message) == hash(simple(substitutions={"Name": ["Ana"], "Code": ["42"]}))
    assert message == simple(substitutions={"Name": ["Ana"], "Code": ["42"]})


@pytest.mark.parametrize(
    ("substitutions", "text"),
    [
        ({"Name": []}, "non-empty list"),
        ({"Name": [1]}, "strings only"),
        ({"": ["x"]}, "non-empty strings"),
        ({"{{Name}}": ["x"]}, "braces"),
    ],
)
def test_bad_substitutions(substitutions: Any, text: str) -> None:
    with pytest.raises(EmailMessageError, match=text):
        simple(substitutions=substitutions)


def test_substitutions_with_raw_content_are_refused() -> None:
    with pytest.raises(EmailMessageError, match="simple content only"):
        EmailMessage(raw_mime=b"Subject: x\r\n\r\nbody", substitutions={"A": ["b"]})


# --- addresses in the message ------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("from_address", "not an address", "'not an address'"),
        ("from_address", "Name <broken@>", "'Name <broken@>'"),
        ("feedback_forwarding_address", "x@localhost", "'x@localhost'"),
        ("feedback_forwarding_address", "Name <x@example.com>", "'Name <x@example.com>'"),
        ("reply_to_addresses", ["ok@example.com", "bad@@example.com"], "reply_to_addresses[1]"),
    ],
)
def test_invalid_message_addresses_name_field_and_value(field: str, value: Any, shown: str) -> None:
    with pytest.raises(EmailMessageError) as caught:
        simple(**{field: value})
    assert shown in str(caught.value)


def test_reply_to_string_counts_as_one_address() -> None:
    assert simple(reply_to_addresses="r@example.com").reply_to_addresses == ("r@example.com",)


@pytest.mark.parametrize(
    "value",
    [
        "a@example.com",
        "first.last+tag@sub.example.co.uk",
        "o'brien@xn--bcher-kva.example",
    ],
)
def test_valid_addresses(value: str) -> None:
    assert check_address(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        " a@example.com",
        "a@example",
        "a@-example.com",
        "a..b@example.com",
        ".a@example.com",
        "a@exa mple.com",
        "a@example.com\n",
        "jörg@example.com",
        "a@bücher.example",
        "a@192.168.0.1",
        "a" * 65 + "@example.com",
        "a@" + "b" * 64 + ".com",
        "a@" + ".".join(["abcdefghij"] * 25) + ".com",
        "Name <a@example.com>",
    ],
)
def test_invalid_addresses(value: str) -> None:
    with pytest.raises(AddressProblem):
        check_address(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Jane Doe <jane@example.com>", True),
        ('"Doe, Jane" <jane@example.com>', True),
        ("J. Doe <jane@example.com>", True),
        ("Doe, Jane <jane@example.com>", False),
        ("<jane@example.com>", False),
        ("Jäne <jane@example.com>", False),
        ("Jane\r\nBcc: x@example.com <jane@example.com>", False),
    ],
)
def test_sender_addresses_with_display_names(value: str, ok: bool) -> None:
    if ok:
        assert check_sender_address(value) == value
    else:
        with pytest.raises(AddressProblem):
            check_sender_address(value)


_local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_+-", min_size=1, max_size=20)
_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@settings(max_examples=30, deadline=None)
@given(
    local=_local,
    labels=st.lists(_label, min_size=1, max_size=3),
    tld=st.sampled_from(["com", "org", "io"]),
)
def test_generated_addresses_are_accepted_and_any_whitespace_is_refused(
    local: str, labels: list[str], tld: str
) -> None:
    address = f"{local}@{'.'.join([*labels, tld])}"
    assert check_address(address) == address
    for position in (0, len(local), len(address)):
        with pytest.raises(AddressProblem):
            check_address(address[:position] + " " + address[position:])


# --- recipients ----------------------------------------------------------------


def test_no_recipients_is_refused_before_any_call(pinpoint_client: Any) -> None:
    sender = PinpointEmailSender(pinpoint_client, "0123456789abcdef0123456789abcdef")
    with pytest.raises(RecipientError, match="no recipient addresses"):
        sender.send_to_addresses(simple(), [])
    with pytest.raises(RecipientError, match="no endpoint ids"):
        sender.send_to_endpoints(simple(), iter(()))
    with pytest.raises(RecipientError, match="no user ids"):
        sender.send_to_users(simple(), [])


def test_invalid_recipients_are_all_named_before_any_call(sesv2_client: Any) -> None:
    sender = SesV2EmailSender(sesv2_client, "from@example.com")
    with pytest.raises(RecipientError) as caught:
        sender.send_to_addresses(simple(), ["ok@example.com", "nope", "also@bad"])
    assert caught.value.invalid == ("nope", "also@bad")
    assert "'nope'" in str(caught.value) and "'also@bad'" in str(caught.value)
    assert isinstance(caught.value, EmailMessageError) and isinstance(caught.value, ValueError)


def test_duplicate_recipients_are_sent_once_first_spelling_kept() -> None:
    assert normalize_addresses(
        ["Ana@Example.com", "bo@example.com", "ana@example.COM", "bo@example.com"]
    ) == ("Ana@Example.com", "bo@example.com")
    # Ids are case-sensitive: only exact repeats are dropped.
    assert normalize_ids(["ep-1", "EP-1", "ep-1"], RecipientKind.ENDPOINT) == ("ep-1", "EP-1")


def test_single_string_recipient_is_one_recipient_not_characters() -> None:
    assert normalize_addresses("ana@example.com") == ("ana@example.com",)
    assert normalize_ids("user-1", RecipientKind.USER) == ("user-1",)


@pytest.mark.parametrize("bad", ["", " user", "user "])
def test_invalid_ids_are_refused(bad: str) -> None:
    with pytest.raises(RecipientError) as caught:
        normalize_ids(["fine", bad], RecipientKind.USER)
    assert caught.value.invalid == (bad,)
