"""Synth accepts exactly what the runtime sender accepts (issue 11, "One home for every rule").

For generated from addresses (bare and display-name forms, with commas, quotes, backslashes,
non-ASCII, CR/LF and whitespace), ``EmailChannel`` accepts the address if and only if
``SenderConfig.from_environ`` accepts the sender environment of that channel. Every example
builds its own imported app and channel, with ids and an application id of its own, in one
shared Stack: a stack per example costs ~50 jsii round trips (the stack's provider) against 3,
and nothing here depends on the stack being fresh. Nothing is synthesized.
"""

from __future__ import annotations

import itertools
from typing import Any

import aws_cdk as cdk
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constructs_pinpoint import ConstructValidationError, EmailChannel, PinpointApp
from constructs_pinpoint.sending import DeliveryBackend, SenderConfig, SenderConfigError

MAX_EXAMPLES = 500
ENV = cdk.Environment(account="111111111111", region="eu-west-1")
IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"

_ATOMS = "abcXYZ019.!#$%&'*+/=?^_`{|}~-"
_TRICKY = ' ,;:"\\<>()[]@\r\n\té\u00a0\u2028'
LOCAL = st.one_of(
    st.text(alphabet=_ATOMS, min_size=1, max_size=12),
    st.text(alphabet=_ATOMS + _TRICKY, min_size=0, max_size=12),
)
COVERED = st.sampled_from(["example.com", "mail.example.com", "EXAMPLE.COM"])
DOMAIN = COVERED | st.sampled_from(
    [
        "example.com",
        "mail.example.com",
        "EXAMPLE.COM",
        "example.org",
        "notexample.com",
        "example",
        "example.com.",
        "-x.example.com",
        "xn--bcher-kva.example.com",
        "bücher.example.com",
        "example.com ",
    ]
)
BARE = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN)
NAME = st.one_of(
    st.text(alphabet="Jane Doe.=?", min_size=0, max_size=14),
    st.text(alphabet="Jane Doe.=?" + _TRICKY, min_size=0, max_size=14),
)
DISPLAY = st.one_of(
    st.builds(lambda name, addr: f"{name} <{addr}>", NAME, BARE),
    st.builds(lambda name, addr: f'"{name}" <{addr}>', NAME, BARE),
    st.builds(lambda name, addr: f"{name}<{addr}>", NAME, BARE),
    st.builds(lambda name, addr: f"{name} <{addr}> ", NAME, BARE),
)
ADDRESSES = st.one_of(
    BARE,
    DISPLAY,
    st.sampled_from(
        [
            "noreply@example.com",
            "Example Orders <noreply@example.com>",
            '"Doe, Jane" <noreply@example.com>',
            "Doe, Jane <noreply@example.com>",
            "Jörg <noreply@example.com>",
            "=?utf-8?q?J=C3=B6rg?= <noreply@example.com>",
            "noreply@example.com\r\nBcc: victim@example.org",
            "",
            " ",
        ]
    ),
    st.text(max_size=30),
)

_stack = cdk.Stack(cdk.App(analytics_reporting=False), "Property", env=ENV)
_ids = itertools.count()
_outcomes = {"examples": 0, "accepted": 0, "rejected": 0}


def _synth_accepts(
    address: str, backend: DeliveryBackend, n: int
) -> tuple[bool, dict[str, str] | None]:
    application = PinpointApp.from_application_id(_stack, f"App{n}", f"{n:032x}")
    try:
        channel = EmailChannel(
            _stack,
            f"Email{n}",
            application=application,
            from_address=address,
            identity=IDENTITY,
            delivery_backend=backend,
        )
    except ConstructValidationError:
        return False, None
    return True, dict(channel.sender_environment())


def _runtime_accepts(environ: dict[str, str]) -> bool:
    try:
        SenderConfig.from_environ(environ)
    except SenderConfigError:
        return False
    return True


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
    derandomize=True,  # the same examples every run: the suite stays deterministic
)
@given(address=ADDRESSES, backend=st.sampled_from(list(DeliveryBackend)))
def _synth_iff_runtime(address: str, backend: DeliveryBackend) -> None:
    n = next(_ids)
    accepted, environ = _synth_accepts(address, backend, n)
    expected = SenderConfig(
        backend=backend,
        application_id=f"{n:032x}",
        from_address=address,
        identity_arn=IDENTITY,
    ).to_environ()
    if environ is not None:
        # The channel's own environment is the one SenderConfig.to_environ builds.
        assert environ == expected
    assert _runtime_accepts(environ or expected) is accepted, (address, backend)
    _outcomes["examples"] += 1
    _outcomes["accepted" if accepted else "rejected"] += 1


def test_email_channel_accepts_exactly_what_the_runtime_sender_accepts(
    record_property: Any,
) -> None:
    _synth_iff_runtime()
    record_property("hypothesis_examples", _outcomes["examples"])
    print(f"property examples run: {_outcomes}")
    # Both sides of the property were exercised, not just one.
    assert _outcomes["examples"] >= MAX_EXAMPLES // 2
    assert _outcomes["accepted"] >= 10 and _outcomes["rejected"] >= 10, _outcomes


@pytest.mark.parametrize(
    ("address", "accepted"),
    [
        ('"Doe, Jane" <noreply@example.com>', True),
        ("=?utf-8?q?J=C3=B6rg?= <noreply@example.com>", True),
        ("Doe, Jane <noreply@example.com>", False),
        ("Jörg <noreply@example.com>", False),
        ("noreply@example.com\r\nBcc: victim@example.org", False),
        ("Orders <noreply@example.com>\n", False),
    ],
)
def test_issue_examples_agree(address: str, accepted: bool) -> None:
    for backend in DeliveryBackend:
        synth, environ = _synth_accepts(address, backend, next(_ids))
        assert synth is accepted
        runtime_env = environ or {
            "PINPOINT_EMAIL_BACKEND": backend.value,
            "PINPOINT_EMAIL_APPLICATION_ID": "0" * 32,
            "PINPOINT_EMAIL_FROM_ADDRESS": address,
            "PINPOINT_EMAIL_IDENTITY_ARN": IDENTITY,
        }
        assert _runtime_accepts(runtime_env) is accepted
