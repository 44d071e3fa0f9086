from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template
from synth_support import new_app

from constructs_pinpoint import ConstructValidationError, IPinpointApp, PinpointApp

APP_ID = "0123456789abcdef0123456789abcdef"


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


def test_from_application_arn_takes_id_and_environment_from_the_arn() -> None:
    stack = _stack()
    arn = f"arn:aws:mobiletargeting:us-east-2:222222222222:apps/{APP_ID}"
    app = PinpointApp.from_application_arn(stack, "Existing", arn)
    assert app.application_id == APP_ID
    assert app.application_arn == arn
    assert app.stack.resolve(app.env.account) == "222222222222"  # type: ignore[attr-defined]
    assert app.env.region == "us-east-2"  # type: ignore[attr-defined]


@pytest.mark.parametrize("bad", ["0123", "0123456789ABCDEF0123456789ABCDEF", f"{APP_ID}x", ""])
def test_from_application_id_rejects_non_ids(bad: str) -> None:
    with pytest.raises(ConstructValidationError, match="is not a Pinpoint project id") as error:
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
