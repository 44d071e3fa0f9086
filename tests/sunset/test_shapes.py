"""The inventory on assemblies synthesized from apps written the way users write them
(tests/sunset/sunset_shapes.py: one synth for the whole set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sunset_support import run_cli

from constructs_pinpoint.handler.contract import MOVING_TO_SES_GUIDE_COMMAND, RESOURCE_TYPE
from constructs_pinpoint.sunset import (
    EXIT_CLEAN,
    EXIT_REMAINING,
    NATIVE_RETAIN,
    STEP_SWITCH,
    StackInventory,
    inventory,
)
from constructs_pinpoint.sunset.guide import CAMPAIGNS, EVENT_STREAMS, ROLES


def _stacks(cdk_out: Path) -> dict[str, StackInventory]:
    return {stack.stack: stack for stack in inventory(cdk_out)}


def _by_path(items: list[Any]) -> dict[str, Any]:
    return {item.path: item for item in items}


def test_a_nested_stack_two_deep_inside_a_stage_is_read(shapes_out: Path) -> None:
    stacks = _stacks(shapes_out)
    assert {"prod/Parent", "prod/Parent/Inner", "prod/Parent/Inner/Deeper"} <= stacks.keys()
    deeper = stacks["prod/Parent/Inner/Deeper"]
    (sender,) = deeper.functions
    assert sender.path == "prod/Parent/Inner/Deeper/Notify"
    assert sender.uses == ["send"]
    (role,) = deeper.roles
    assert role.functions == [f"prod/Parent/Inner/Deeper: {sender.logical_id}"]
    assert stacks["prod/Parent"].remaining == 0


def test_sam_functions_and_their_policies(shapes_out: Path) -> None:
    sam = _stacks(shapes_out)["Sam"]
    (mailer,) = sam.functions
    assert (mailer.logical_id, mailer.type) == ("Mailer", "AWS::Serverless::Function")
    (role,) = sam.roles
    assert role.name == "MailerRole"
    assert role.grants == ["mobiletargeting:SendUsersMessages (SAM Policies of Mailer)"]
    # AWSLambdaBasicExecutionRole grants nothing on Pinpoint; PinpointEndpointAccessPolicy
    # (the Endpoints function's only policy) grants endpoint actions, which survive.
    assert sam.checks == []
    assert [f.logical_id for f in sam.functions] == ["Mailer"]


def test_a_shared_wildcard_role_is_one_item_with_its_functions(shapes_out: Path) -> None:
    shared = _stacks(shapes_out)["Shared"]
    roles = _by_path(shared.roles)
    messaging = roles["Shared/MessagingRole"]
    assert [f.split(": ")[1][:-8] for f in messaging.functions] == [
        "Orders",
        "Invoices",
        "Reminders",
    ]
    assert messaging.keep == ["mobiletargeting:*"]
    # Narrow, never remove: SMS, voice and push go on under mobiletargeting:*.
    assert messaging.step.next.startswith("narrow its grants: replace mobiletargeting:* by")
    assert "mobiletargeting:GetEndpoint" in messaging.step.next
    assert "*EmailChannel, *EmailTemplate, *Campaign*, *Journey*" in messaging.step.next
    assert "remove the grant altogether if" in messaging.step.then
    assert messaging.step.docs == ROLES
    for name in ("Shared/Orders", "Shared/Invoices", "Shared/Reminders"):
        function = _by_path(shared.functions)[name]
        assert function.role == messaging.name
        assert function.uses == ["send"]


def test_a_role_with_a_surviving_action_is_narrowed_naming_it(shapes_out: Path) -> None:
    mixed = _by_path(_stacks(shapes_out)["Shared"].roles)["Shared/MixedRole"]
    assert mixed.keep == ["mobiletargeting:GetEndpoint"]
    assert "remove mobiletargeting:SendMessages" in mixed.step.next
    assert "keep mobiletargeting:GetEndpoint" in mixed.step.next
    assert "remove the grants" not in mixed.step.next


def test_a_role_holding_only_email_actions_is_removed(shapes_out: Path) -> None:
    roles = _by_path(_stacks(shapes_out)["Shared"].roles)
    for path, action in (
        ("Shared/CampaignRole", "CreateCampaign"),
        ("Shared/JourneyRole", "CreateJourney"),  # through AWS::IAM::RolePolicy
    ):
        role = roles[path]
        assert role.keep == []
        assert role.step.next.startswith(f"remove the grants mobiletargeting:{action} ")
        assert "nothing else on Pinpoint" in role.step.next


def test_functions_granted_campaign_or_journey_actions(shapes_out: Path) -> None:
    functions = _by_path(_stacks(shapes_out)["Shared"].functions)
    assert functions["Shared/Scheduler"].uses == ["campaign"]
    assert functions["Shared/Journeys"].uses == ["journey"]
    assert functions["Shared/Scheduler"].step.docs == CAMPAIGNS
    # A function granted only a surviving action is no finding.
    assert "Shared/Lookup" not in functions


def test_campaigns_templates_and_event_streams(shapes_out: Path) -> None:
    campaigns = _stacks(shapes_out)["Campaigns"]
    found = {(r.kind, r.logical_id) for r in campaigns.resources}
    assert found == {
        ("campaign", "Newsletter"),
        ("email template", "Welcome"),
        ("event stream", "Events"),
    }
    resources = {r.logical_id: r for r in campaigns.resources}
    assert resources["Newsletter"].detail == "email campaign (EmailMessage)"
    assert resources["Newsletter"].application == "!Ref App (AWS::Pinpoint::App)"
    assert resources["Events"].step.docs == EVENT_STREAMS
    assert "RETAIN" in resources["Welcome"].step.then


def test_a_channel_in_one_stack_and_its_sender_in_another(shapes_out: Path) -> None:
    stacks = _stacks(shapes_out)
    (channel,) = stacks["Channels"].channels
    assert (channel.type, channel.step.docs) == (RESOURCE_TYPE, STEP_SWITCH)
    (sender,) = stacks["Senders"].functions
    assert sender.backend == "pinpoint"
    assert sender.application == f"Channels: {channel.application}"
    assert "(Channels/Email)" in sender.step.next
    # Its role holds only the grant configure_sender wrote: step 1 replaces it, no role item.
    assert stacks["Senders"].roles == []
    assert sender.role is None


def test_roles_and_policies_defined_outside_the_assembly(shapes_out: Path) -> None:
    imported = _stacks(shapes_out)["Imported"]
    (mailer,) = imported.functions
    assert mailer.role == "mailer (defined outside the assembly)"
    (role,) = imported.roles
    assert role.grants[0].startswith("mobiletargeting:Send* (TeamSend")
    reasons = sorted(check.reason for check in imported.checks)
    assert len(reasons) == 2
    assert reasons[0].startswith("managed policy arn:aws:iam::111111111111:policy/team-messaging")
    assert reasons[1] == "the role's own policies: not in the assembly"


def test_the_command_exits_1_and_says_where_the_guide_is(shapes_out: Path) -> None:
    run = run_cli(str(shapes_out))
    assert run.returncode == EXIT_REMAINING, run.stderr
    assert run.stderr == ""
    assert "docs/" not in run.stdout
    assert run.stdout.rstrip().endswith(f"The guide: {MOVING_TO_SES_GUIDE_COMMAND}")
    assert f'see:  "{NATIVE_RETAIN}" in `{MOVING_TO_SES_GUIDE_COMMAND}`' in run.stdout
    assert "  role MessagingRole" in run.stdout


def test_json_has_a_schema_version_and_counts_every_finding(shapes_out: Path) -> None:
    run = run_cli(str(shapes_out), "--json")
    assert run.returncode == EXIT_REMAINING
    document = json.loads(run.stdout)
    assert document["schema_version"] == 1
    assert document["guide"] == MOVING_TO_SES_GUIDE_COMMAND
    kinds = ("channels", "resources", "functions", "roles", "checks")
    assert set(document["stacks"][0]) == {"stack", "template", *kinds}
    total = {kind: sum(len(s[kind]) for s in document["stacks"]) for kind in kinds}
    assert document["counts"] == total
    assert document["remaining"] == sum(total.values()) > 0
    role = next(r for s in document["stacks"] for r in s["roles"])
    assert set(role) == {
        "name",
        "logical_id",
        "path",
        "functions",
        "grants",
        "email_actions",
        "keep",
        "step",
    }
    assert set(role["step"]) == {"next", "then", "docs"}


def test_the_plugin_reports_the_same_findings_as_the_command(shapes_out: Path) -> None:
    """The shapes app ran PinpointEmailInventory (report mode) during its synth."""
    report = json.loads((shapes_out / "validation-report.json").read_text())
    (plugin,) = [
        p
        for p in report["pluginReports"]
        if p["pluginName"] == "constructs-pinpoint-email-inventory"
    ]
    assert plugin["conclusion"] == "success"
    assert (
        len(plugin["violations"])
        == json.loads(run_cli(str(shapes_out), "--json").stdout)["remaining"]
    )


def test_an_app_fully_on_ses_exits_0(moved_out: Path) -> None:
    run = run_cli(str(moved_out))
    assert run.returncode == EXIT_CLEAN, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith("Nothing left on Pinpoint email in 1 stack.")
    assert "Orders: nothing on Pinpoint email" in run.stdout
