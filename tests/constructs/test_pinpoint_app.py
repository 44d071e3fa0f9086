from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template
from constructs import Construct
from synth_support import new_app

from constructs_pinpoint import ConstructValidationError, EmailChannel, IPinpointApp, PinpointApp

APP_ID = "0123456789abcdef0123456789abcdef"
FROM = "noreply@example.com"
IDENTITY = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"


def _stack() -> cdk.Stack:
    return cdk.Stack(
        new_app(), "S", env=cdk.Environment(account="111111111111", region="eu-west-1")
    )


def test_new_app_name_tags_and_attributes() -> None:
    stack = _stack()
    app = PinpointApp(stack, "Messaging", app_name="orders-dev")
    cdk.Tags.of(app).add("team", "orders")
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::Pinpoint::App", {"Name": "orders-dev", "Tags": {"team": "orders"}}
    )
    assert stack.resolve(app.application_id) == {"Ref": "Messaging4C94D7F8"}
    assert stack.resolve(app.application_arn) == {"Fn::GetAtt": ["Messaging4C94D7F8", "Arn"]}
    assert app.resource.node.id == "Resource"
    assert isinstance(app, IPinpointApp)


def test_default_name_is_the_unique_id() -> None:
    stack = _stack()
    app = PinpointApp(stack, "Messaging")
    assert cdk.Names.unique_id(app) == "SMessaging39A311BA"
    Template.from_stack(stack).has_resource_properties(
        "AWS::Pinpoint::App", {"Name": "SMessaging39A311BA"}
    )


def test_from_application_id() -> None:
    stack = _stack()
    app = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    assert app.application_id == APP_ID
    assert stack.resolve(app.application_arn) == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                f":mobiletargeting:eu-west-1:111111111111:apps/{APP_ID}",
            ],
        ]
    }
    assert isinstance(app, IPinpointApp)


def test_from_application_arn_of_the_stacks_environment() -> None:
    stack = _stack()
    arn = f"arn:aws:mobiletargeting:eu-west-1:111111111111:apps/{APP_ID}"
    app = PinpointApp.from_application_arn(stack, "Existing", arn)
    assert app.application_id == APP_ID
    assert app.application_arn == arn
    assert app.stack is stack


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (
            f"arn:aws:mobiletargeting:us-east-2:111111111111:apps/{APP_ID}",
            "region 'us-east-2' differs from the stack's region 'eu-west-1'",
        ),
        (
            f"arn:aws:mobiletargeting:eu-west-1:222222222222:apps/{APP_ID}",
            "account '222222222222' differs from the stack's account '111111111111'",
        ),
        (
            f"arn:aws-cn:mobiletargeting:eu-west-1:111111111111:apps/{APP_ID}",
            "partition 'aws-cn' does not match",
        ),
    ],
)
def test_from_application_arn_of_another_environment_is_refused(arn: str, expected: str) -> None:
    with pytest.raises(ConstructValidationError) as error:
        PinpointApp.from_application_arn(_stack(), "Existing", arn)
    assert error.value.path == "S/Existing"
    assert expected in str(error.value)


def test_from_application_arn_in_an_environment_agnostic_stack_is_not_compared() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    arn = f"arn:aws:mobiletargeting:us-east-2:222222222222:apps/{APP_ID}"
    assert PinpointApp.from_application_arn(stack, "Existing", arn).application_arn == arn


@pytest.mark.parametrize("partition_literals", [False, True])
@pytest.mark.parametrize(
    "env", [None, cdk.Environment(account="111111111111", region="cn-north-1")]
)
def test_imported_arn_renders_as_format_arn_does(
    env: cdk.Environment | None, partition_literals: bool
) -> None:
    root = cdk.App(
        analytics_reporting=False,
        context={"@aws-cdk/core:enablePartitionLiterals": partition_literals},
    )
    stack = cdk.Stack(root, "S", env=env)
    app = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    expected = stack.format_arn(
        service="mobiletargeting",
        resource="apps",
        resource_name=APP_ID,
        arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
    )
    assert stack.resolve(app.application_arn) == stack.resolve(expected)
    if env and partition_literals:
        assert app.application_arn.startswith("arn:aws-cn:mobiletargeting:cn-north-1:")


def test_an_import_is_one_construct_and_no_resource() -> None:
    stack = _stack()
    app = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    assert app.node.path == "S/Existing" and app.node.children == []
    assert isinstance(app, Construct) and not isinstance(app, cdk.Resource)
    assert stack.node.find_child("Existing") is app
    assert Template.from_stack(stack).to_json().get("Resources", {}) == {}


def test_an_import_a_channel_uses_never_becomes_a_construct() -> None:
    stack = _stack()
    app = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    channel = EmailChannel(stack, "Email", application=app, from_address=FROM, identity=IDENTITY)
    sender = iam.Role(stack, "Sender", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    channel.grant_send(sender)
    app.grant_send_messages(sender)
    Template.from_stack(stack)
    assert stack.node.try_find_child("Existing") is None


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(lambda app, stack: app.node.add_metadata("k", "v"), id="node"),
        pytest.param(lambda app, stack: cdk.Stack.of(app), id="Stack.of"),
        pytest.param(lambda app, stack: cdk.Tags.of(app).add("team", "orders"), id="Tags.of"),
        pytest.param(
            lambda app, stack: Construct(stack, "Other").node.add_dependency(app),
            id="add_dependency",
        ),
        pytest.param(lambda app, stack: Construct.is_construct(app), id="is_construct"),
    ],
)
def test_an_import_becomes_its_construct_on_first_use(
    use: Callable[[IPinpointApp, cdk.Stack], object],
) -> None:
    stack = _stack()
    app = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    use(app, stack)
    assert stack.node.find_child("Existing") is app
    assert cdk.Stack.of(app) is stack and app.node.path == "S/Existing"
    Template.from_stack(stack)


def test_two_imports_with_one_id_are_refused_at_once() -> None:
    stack = _stack()
    PinpointApp.from_application_id(stack, "Existing", APP_ID)
    with pytest.raises(ConstructValidationError, match=r"(?s)S/Existing: .* already an imported"):
        PinpointApp.from_application_id(stack, "Existing", "fedcba9876543210fedcba9876543210")
    # Ids as CDK names children: "a/b" is the child "a--b".
    PinpointApp.from_application_id(stack, "a/b", APP_ID)
    with pytest.raises(ConstructValidationError, match=r"(?s)S/a--b: .* already an imported"):
        PinpointApp.from_application_id(stack, "a--b", "fedcba9876543210fedcba9876543210")


def test_the_same_import_again_is_the_first() -> None:
    """`scope.node.try_find_child(id) or from_application_id(...)` keeps working."""
    stack = _stack()
    first = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    again = stack.node.try_find_child("Existing") or PinpointApp.from_application_id(
        stack, "Existing", APP_ID
    )
    assert again is first


@pytest.mark.parametrize("bad", ["", None])
def test_an_import_needs_an_id(bad: str) -> None:
    with pytest.raises(ConstructValidationError, match="is not a construct id"):
        PinpointApp.from_application_id(_stack(), bad, APP_ID)


def test_an_import_whose_id_another_construct_took_fails_on_first_use() -> None:
    stack = _stack()
    app = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    other = Construct(stack, "Existing")
    for _ in range(2):  # a failed first use leaves nothing behind: the next fails the same way
        with pytest.raises(RuntimeError, match="already a Construct with name 'Existing'"):
            app.node  # noqa: B018
    assert stack.node.find_child("Existing") is other


def test_a_token_arn_import_a_channel_of_another_stack_uses_never_becomes_a_construct() -> None:
    """A token application id is described by its path (in the environment-agnostic note): read
    in Python, not from a construct made for it."""
    app = new_app()
    home = cdk.Stack(app, "Home", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    agnostic = cdk.Stack(app, "Agnostic")
    arn = cdk.Fn.import_value("MessagingAppArn")
    imported = PinpointApp.from_application_arn(home, "Shared", arn)
    EmailChannel(agnostic, "Email", application=imported, from_address=FROM, identity=IDENTITY)
    assembly = app.synth()
    assert home.node.try_find_child("Shared") is None
    notes = [
        entry.entry.data
        for entry in assembly.get_stack_by_name("Agnostic").messages
        if entry.level == cdk.cx_api.SynthesisMessageLevel.INFO
    ]
    assert any("application Home/Shared of stack Home" in note for note in notes), notes


@pytest.mark.parametrize("bad", ["0123", "0123456789ABCDEF0123456789ABCDEF", f"{APP_ID}x", ""])
def test_from_application_id_rejects_non_ids(bad: str) -> None:
    with pytest.raises(ConstructValidationError, match="is not a Pinpoint application id") as error:
        PinpointApp.from_application_id(_stack(), "Existing", bad)
    assert repr(bad) in str(error.value)


@pytest.mark.parametrize(
    "bad",
    [
        APP_ID,
        f"arn:aws:mobiletargeting:us-east-1:111111111111:apps/{APP_ID}/channels/email",
        f"arn:aws:ses:us-east-1:111111111111:apps/{APP_ID}",
        "arn:aws:mobiletargeting:us-east-1:111111111111:apps/nothex",
    ],
)
def test_from_application_arn_rejects_other_arns(bad: str) -> None:
    with pytest.raises(
        ConstructValidationError, match="is not a Pinpoint application ARN"
    ) as error:
        PinpointApp.from_application_arn(_stack(), "Existing", bad)
    assert repr(bad) in str(error.value)


def test_imported_id_token_is_accepted() -> None:
    stack = _stack()
    parameter = cdk.CfnParameter(stack, "AppId")
    app = PinpointApp.from_application_id(stack, "Existing", parameter.value_as_string)
    assert stack.resolve(app.application_id) == {"Ref": "AppId"}


def test_grant_send_messages_targets_the_messages_resource() -> None:
    stack = _stack()
    app = PinpointApp.from_application_id(stack, "Existing", APP_ID)
    role = iam.Role(stack, "Sender", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    app.grant_send_messages(role)
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": [
                            "mobiletargeting:SendMessages",
                            "mobiletargeting:SendUsersMessages",
                        ],
                        "Effect": "Allow",
                        "Resource": {
                            "Fn::Join": [
                                "",
                                Match.array_with(
                                    [Match.string_like_regexp(f"apps/{APP_ID}/messages$")]
                                ),
                            ]
                        },
                    }
                ]
            }
        },
    )


def test_imports_and_channels_under_a_nested_scope_use_their_stacks_facts() -> None:
    stack = _stack()
    group = Construct(stack, "Group")
    app = PinpointApp.from_application_id(group, "Existing", APP_ID)
    assert app.stack is stack and app.node.path == "S/Group/Existing"
    assert app.application_arn == (
        f"arn:{stack.partition}:mobiletargeting:eu-west-1:111111111111:apps/{APP_ID}"
    )
