"""Seeded random events: every request type and shape, Pinpoint refusing or not (issue 16).

Each event goes through ``on_event`` (``CloudFormation.invoke``) against ``FakePinpoint`` in a
random state, with random refusals; every answer must keep the handler's invariants:

- exactly one answer per event, its body within 4096 bytes, every ``Data`` value a string
  (``Exchange.answer`` and ``Answer.parse`` check these);
- never FAILED for a lenient Delete, nor for an Update sent during UPDATE_ROLLBACK_IN_PROGRESS;
- a Delete never deletes a channel whose owner tag names another resource;
- the pre-signed ResponseURL's signature (and URL, query, credential, token) is never logged.

The seeds are fixed: a failure names its seed and event number, and replays exactly.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

from cfn_simulator import CloudFormation, FakePinpoint, ResponseServer, contract
from pinpoint_stubs import APP, OTHER_APP, REFUSALS, owner_of, properties

EVENTS_PER_SEED = 80
OPERATIONS = (
    "UpdateEmailChannel",
    "DeleteEmailChannel",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
)
LOGICAL_IDS = ("WelcomeChannel8E3B1C2A", "WelcomeEmailChannel5D6E7F80", "x" * 300, "")
CRAFTED = ("http://" * 700)[:4000] + "X-Amz-Signature=" + "ab" * 40


def random_properties(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.04:
        return rng.choice([None, [APP], "ApplicationId=" + APP, 5])
    props: dict[str, Any] = properties(rng.choice([APP, APP, OTHER_APP, "..", CRAFTED]))
    if rng.random() < 0.5:
        props[contract.PROP_STRICT_DELETE] = rng.choice(
            ["true", " TRUE ", "True", "false", "yes", "", 5]
        )
    if rng.random() < 0.2:
        props[contract.PROP_ENABLED] = rng.choice(["false", "FALSE", "maybe", CRAFTED])
    if rng.random() < 0.1:
        props.pop(contract.PROP_FROM_ADDRESS)
    if rng.random() < 0.1:
        props[contract.PROP_CONFIGURATION_SET] = rng.choice(["transactional", CRAFTED])
    return props


def random_pinpoint_state(rng: random.Random, fake: FakePinpoint, event: dict[str, Any]) -> None:
    """Channels present or not; owner and previous-owner tags naming this event's resource,
    another one, or nobody; each operation refused (one of the REFUSALS shapes) or not."""
    me = owner_of(str(event.get("LogicalResourceId")), str(event.get("StackId")))
    owners = [
        me,
        me,
        owner_of(LOGICAL_IDS[1], str(event.get("StackId"))),
        owner_of(LOGICAL_IDS[0], "arn:aws:cloudformation:us-east-1:123456789012:stack/o/1"),
    ]
    for app in (APP, OTHER_APP):
        state = fake.apps[app]
        state.channel = (
            {"FromAddress": "a@example.com", "Identity": "x", "Enabled": True}
            if rng.random() < 0.7
            else None
        )
        tags: dict[str, str] = {}
        for key, chance in ((contract.OWNER_TAG, 0.7), (contract.PREVIOUS_OWNER_TAG, 0.5)):
            if rng.random() < chance:
                tags[key] = rng.choice(owners)
        state.tags = tags
    fake.refusals.clear()
    for operation in OPERATIONS:
        if rng.random() < 0.2:
            fake.refuse(operation, rng.choice(sorted(REFUSALS)))


def random_event(rng: random.Random, cfn: CloudFormation) -> tuple[dict[str, Any], str]:
    request_type = rng.choice(["Create", "Update", "Update", "Delete", "Delete", "Upsert"])
    props = random_properties(rng)
    physical_id = None
    if request_type != "Create":
        app = props.get(contract.PROP_APPLICATION_ID) if isinstance(props, dict) else None
        physical_id = rng.choice(
            [app or APP] * 4
            + [APP, OTHER_APP, contract.FAILED_CREATE_PREFIX + "1", "pinpoint-demo-X-1A2B"]
        )
    old = None
    if request_type == "Update":
        old = props if rng.random() < 0.3 and isinstance(props, dict) else properties()
    event = cfn.event(
        request_type,
        rng.choice(LOGICAL_IDS),
        {},
        physical_id=physical_id if isinstance(physical_id, str) else None,
        old_properties=old,
    )
    event["ResourceProperties"] = (
        {"ServiceToken": cfn.service_token, **props} if isinstance(props, dict) else props
    )
    if rng.random() < 0.05:
        event["StackId"] = rng.choice(["pinpoint-demo", CRAFTED])
    status = (
        rng.choice(["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS"])
        if request_type == "Update"
        else ""
    )
    return event, status


def lenient(event: dict[str, Any]) -> bool:
    props = event.get("ResourceProperties")
    value = props.get(contract.PROP_STRICT_DELETE) if isinstance(props, dict) else None
    return not (isinstance(value, str) and value.strip().casefold() == "true")


SEEDS = (16, 1016, 20261206)


def test_random_events_keep_every_invariant(
    cfn: CloudFormation, server: ResponseServer, fake_pinpoint: FakePinpoint
) -> None:
    seen: Counter[str] = Counter()
    for seed in SEEDS:
        play(seed, cfn, server, fake_pinpoint, seen)
    # The events reached every path the invariants are about.
    for path in (
        "Create SUCCESS",
        "Create FAILED",
        "Update SUCCESS",
        "Update FAILED",
        "Delete SUCCESS",
        "Delete FAILED",
        "lenient Delete left in place",
        "Delete kept: another owner",
        "Delete kept: handed back",
        "Delete deleted",
        "rollback Update answered without Pinpoint",
    ):
        assert seen[path] > 0, (path, seen)


def play(
    seed: int,
    cfn: CloudFormation,
    server: ResponseServer,
    fake_pinpoint: FakePinpoint,
    seen: Counter[str],
) -> None:
    rng = random.Random(seed)
    for number in range(EVENTS_PER_SEED):
        where = f"seed {seed}, event {number}"
        event, status = random_event(rng, cfn)
        random_pinpoint_state(rng, fake_pinpoint, event)
        app = event.get("PhysicalResourceId")
        before = {
            a: (fake_pinpoint.has_channel(a), fake_pinpoint.tags(a)) for a in (APP, OTHER_APP)
        }

        exchange = cfn.invoke(event, stack_status=status or None)

        answer = exchange.answer  # exactly one, parsed: <= 4096 bytes, Data values strings
        assert answer.size <= 4096, where
        assert all(isinstance(value, str) for value in answer.data.values()), where
        if event["RequestType"] == "Delete" and lenient(event):
            assert answer.status == "SUCCESS", (where, answer.reason)
        if status == "UPDATE_ROLLBACK_IN_PROGRESS":
            assert answer.status == "SUCCESS", (where, answer.reason)
        if event["RequestType"] == "Delete" and app in before:
            had_channel, tags = before[app]
            me = owner_of(event["LogicalResourceId"], event["StackId"])
            managed_by_another = tags.get(contract.OWNER_TAG) not in (None, me)
            if had_channel and managed_by_another:
                assert fake_pinpoint.has_channel(app), (where, answer.reason)
        logged = json.dumps(exchange.logs)
        for secret in server.secrets():
            assert secret not in logged, where
        seen[f"{event['RequestType']} {answer.status}"] += 1
        if event["RequestType"] == "Delete":
            seen["lenient Delete left in place"] += "left in place" in answer.reason
            seen["Delete kept: another owner"] += "kept: managed by" in answer.reason
            seen["Delete kept: handed back"] += "kept: handed back" in answer.reason
            seen["Delete deleted"] += (
                app in before and before[app][0] and not (fake_pinpoint.has_channel(app))
            )
        if status == "UPDATE_ROLLBACK_IN_PROGRESS":
            seen["rollback Update answered without Pinpoint"] += answer.reason.startswith(
                "Rollback: "
            )
