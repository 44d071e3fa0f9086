"""The contract between ``EmailChannel`` (synth) and this handler (deploy): one home for it.

The construct writes these names into the template; the handler reads them from the event and
answers with these ``Data`` keys. Standard library only: the Lambda asset carries this module, and
the construct imports it (aws-cdk's ``consts.ts`` pattern).
"""

from __future__ import annotations

RESOURCE_TYPE = "Custom::PinpointEmailChannel"
NATIVE_RESOURCE_TYPE = "AWS::Pinpoint::EmailChannel"
EMAIL_CHANNEL_TYPES = frozenset({RESOURCE_TYPE, NATIVE_RESOURCE_TYPE})

# The handler's Lambda function: written into the template by the provider, read by the bench.
HANDLER_RUNTIME_NAME = "python3.14"
HANDLER_ENTRY = "handler.entry.on_event"
HANDLER_TIMEOUT_SECONDS = 60
# CloudFormation gives up on a silent handler after this (the resource's ServiceTimeout); the
# Lambda timeout stays below it, and the handler answers on its own before its Lambda timeout.
SERVICE_TIMEOUT_SECONDS = 300

# IAM actions. The handler's role gets CHANNEL_ACTIONS on each channel ARN, and OWNERSHIP_ACTIONS
# once, on the apps of its own account and region, for the two ownership tag keys only
# (OWNERSHIP_CONDITION); senders get SEND_ACTIONS on apps/<id>/messages.
CHANNEL_ACTIONS = ("mobiletargeting:UpdateEmailChannel", "mobiletargeting:DeleteEmailChannel")
OWNERSHIP_ACTIONS = (
    "mobiletargeting:ListTagsForResource",
    "mobiletargeting:TagResource",
    "mobiletargeting:UntagResource",
)
SEND_ACTIONS = ("mobiletargeting:SendMessages", "mobiletargeting:SendUsersMessages")

# IAM quotas the handler role's policies are sharded by (characters of the policy JSON without
# whitespace): all inline policies of one role together, each managed policy, and managed
# policies per role (the default quota). The provider fills the role's inline policy first, then
# one managed policy after another; bench/ models the shards from these.
IAM_INLINE_POLICY_CHARS = 10_240
IAM_MANAGED_POLICY_CHARS = 6_144
IAM_MANAGED_POLICIES_PER_ROLE = 10

# Ownership of an app's email channel, recorded as tags on the Pinpoint app: the resource that
# last configured the channel (OWNER_TAG), and the one it took the channel over from, until that
# one's Delete (or a rollback) settles it (PREVIOUS_OWNER_TAG). A Delete deletes the channel only
# when it is the owner and no previous owner waits: a rename, a move to another stack and their
# rollbacks never delete a channel another resource still manages. Apps without the tags (channels
# made by versions before 0.4) are claimed on their next Create or Update.
OWNER_TAG = "constructs-pinpoint:email-channel-owner"
PREVIOUS_OWNER_TAG = "constructs-pinpoint:email-channel-previous-owner"
OWNERSHIP_TAG_KEYS = (OWNER_TAG, PREVIOUS_OWNER_TAG)
# TagResource and UntagResource may name these keys and no other; ListTagsForResource names none
# (ForAllValues holds for a request without tag keys).
OWNERSHIP_CONDITION = {"ForAllValues:StringEquals": {"aws:TagKeys": list(OWNERSHIP_TAG_KEYS)}}

# ResourceProperties. CloudFormation delivers every value as a string ("true", not true).
PROP_APPLICATION_ID = "ApplicationId"
PROP_FROM_ADDRESS = "FromAddress"
PROP_IDENTITY = "Identity"
PROP_CONFIGURATION_SET = "ConfigurationSet"
PROP_ROLE_ARN = "RoleArn"
PROP_ORCHESTRATION_SENDING_ROLE_ARN = "OrchestrationSendingRoleArn"
PROP_ENABLED = "Enabled"
# Written only when the user opts into strict deletes, so existing templates do not change.
PROP_STRICT_DELETE = "StrictDelete"

REQUIRED_PROPERTIES = (PROP_APPLICATION_ID, PROP_FROM_ADDRESS, PROP_IDENTITY)
OPTIONAL_STRING_PROPERTIES = (
    PROP_CONFIGURATION_SET,
    PROP_ROLE_ARN,
    PROP_ORCHESTRATION_SENDING_ROLE_ARN,
)

# Data keys of every SUCCESS answer to Create and Update: CloudFormation reads GetAtt values from
# the latest answer only, so each answer carries all of them (aws/aws-cdk#23796).
DATA_APPLICATION_ID = "ApplicationId"
DATA_MESSAGES_PER_SECOND = "MessagesPerSecond"
DATA_VERSION = "Version"
DATA_ENABLED = "Enabled"
DATA_KEYS = (DATA_APPLICATION_ID, DATA_MESSAGES_PER_SECOND, DATA_VERSION, DATA_ENABLED)

# A failed Create answers with this prefix; the Delete CloudFormation then sends makes no call.
FAILED_CREATE_PREFIX = "create-failed:"

# A Delete that Pinpoint refuses answers SUCCESS and leaves the channel in place, unless this
# property is exactly STRICT_DELETE_ON (then it answers FAILED, as a native resource would).
STRICT_DELETE_ON = "true"

# What the handler accepts as an application id before it puts one into a request path
# (/v1/apps/{id}/channels/email): letters, digits, "-" and "_", so "..", "a/b" or "%2e%2e" never
# reach Pinpoint. Synth's full format rule (32 hex characters) lives in
# constructs_pinpoint/sending/rules.py, which the handler's asset does not carry.
PATH_SAFE_APPLICATION_ID = r"[A-Za-z0-9_-]{1,128}"

# Where users are sent when Pinpoint refuses an email channel: the end of support and the way out.
PINPOINT_EMAIL_END_OF_SUPPORT = "2026-10-30"
MOVING_TO_SES_DOC = "docs/moving-to-ses.md"
# Where a wheel user (who has no docs/ folder) reads the guide: a copy ships in the package.
MOVING_TO_SES_GUIDE_COMMAND = "python -m constructs_pinpoint.sunset --guide"
