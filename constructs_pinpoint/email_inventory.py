"""``PinpointEmailInventory``: the sunset inventory as a CDK policy-validation plugin.

``cdk.App(policy_validation_beta1=[PinpointEmailInventory()])`` runs the rules of
``python -m constructs_pinpoint.sunset`` on every template the synth writes (stages and nested
stacks included) and reports each finding as a violation: its resource's logical id and
template path, what it is, and its next step as the fix.

How aws-cdk-lib 2.275 treats the report: a report with ``success=True`` and violations is
printed (stderr) and written to ``validation-report.json``, and the synth succeeds; a report
with ``success=False`` fails the synth (``ValidationFailed``; under the CLI, ``cdk synth`` exits
non-zero). By default the plugin reports only (success=True, severity ``warning``);
``fail_on_findings=True`` makes any finding fail the synth (severity ``error``).

Older aws-cdk-lib (2.172): no ``cdk.Validations`` (use ``policy_validation_beta1``), a report that
succeeds is dropped (the plugin then prints its findings to stderr itself), and a failing report
prints "Validation failed" without failing the app's process.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk
import jsii

from ._version import __version__
from .sending._text import counted
from .sunset import guide
from .sunset.assembly import AssemblyError, read_templates
from .sunset.model import StackInventory, Step
from .sunset.rules import findings

__all__ = ["RULES", "PinpointEmailInventory"]

PLUGIN_NAME = "constructs-pinpoint-email-inventory"
RULES = (
    "pinpoint-email-channel",
    "pinpoint-email-campaign",
    "pinpoint-email-template",
    "pinpoint-email-event-stream",
    "pinpoint-email-sender",
    "pinpoint-email-function",
    "pinpoint-email-grant",
    "pinpoint-email-check",
    "pinpoint-email-inventory-error",
)


def _fix(step: Step) -> str:
    return f"{step.next}. Then: {step.then}. See {guide.see(step.docs)}"


def _violations(stacks: list[StackInventory], severity: str) -> list[cdk.PolicyViolationBeta1]:
    violations: list[cdk.PolicyViolationBeta1] = []

    def add(
        rule: str,
        description: str,
        logical_id: str | None,
        stack: StackInventory,
        location: str,
        step: Step,
    ) -> None:
        resources = (
            [
                cdk.PolicyViolatingResourceBeta1(
                    resource_logical_id=logical_id,
                    template_path=stack.template,
                    locations=[location],
                )
            ]
            if logical_id
            else []
        )
        violations.append(
            cdk.PolicyViolationBeta1(
                rule_name=rule,
                description=description,
                violating_resources=resources,
                fix=_fix(step),
                severity=severity,
            )
        )

    for stack in stacks:
        for channel in stack.channels:
            what = "ours" if channel.kind == "custom" else "native"
            add(
                "pinpoint-email-channel",
                f"Pinpoint email channel ({what}, {channel.type}) of {channel.application}, "
                f"DeletionPolicy {channel.deletion_policy}",
                channel.logical_id,
                stack,
                "Properties/ApplicationId",
                channel.step,
            )
        for resource in stack.resources:
            rule = {
                "campaign": "pinpoint-email-campaign",
                "email template": "pinpoint-email-template",
            }.get(resource.kind, "pinpoint-email-event-stream")
            add(
                rule,
                f"{resource.kind} {resource.logical_id}: {resource.detail}",
                resource.logical_id,
                stack,
                "Properties",
                resource.step,
            )
        for function in stack.functions:
            rule = "pinpoint-email-sender" if "send" in function.uses else "pinpoint-email-function"
            add(
                rule,
                f"function {function.logical_id} uses Pinpoint email for "
                f"{', '.join(function.uses) or 'nothing'}"
                + (f" (PINPOINT_EMAIL_BACKEND={function.backend})" if function.backend else ""),
                function.logical_id,
                stack,
                "Properties/Environment/Variables" if function.backend else "Properties/Role",
                function.step,
            )
        for role in stack.roles:
            add(
                "pinpoint-email-grant",
                f"role {role.name} grants {'; '.join(role.grants)} to "
                f"{', '.join(role.functions) or 'no function of the app'}",
                role.logical_id,
                stack,
                "Properties",
                role.step,
            )
        for check in stack.checks:
            add(
                "pinpoint-email-check",
                f"check {check.subject}: {check.reason}",
                check.logical_id,
                stack,
                "Properties",
                check.step,
            )
    return violations


# aws-cdk-lib releases without cdk.IPolicyValidationPlugin (2.172, say) drop a report that
# succeeds, violations and all: there the plugin prints its findings itself (stderr).
_PRINTS_SUCCESSFUL_REPORTS = hasattr(cdk, "IPolicyValidationPlugin")


def _print_report(violations: list[cdk.PolicyViolationBeta1]) -> None:
    lines = [
        f"{PLUGIN_NAME}: {counted(len(violations), 'finding')} on Pinpoint email (report only)"
    ]
    for violation in violations:
        where = ", ".join(
            f"{resource.template_path} {resource.resource_logical_id}"
            for resource in violation.violating_resources
        )
        lines.append(f"  [{violation.rule_name}] {where}: {violation.description}")
        lines.append(f"    fix: {violation.fix}")
    print("\n".join(lines), file=sys.stderr)


# cdk.IPolicyValidationPlugin (for cdk.Validations.of(app).add_plugins) is newer than the oldest
# aws-cdk-lib this package supports: implemented where it exists.
_INTERFACES: list[type] = [cdk.IPolicyValidationPluginBeta1]
if hasattr(cdk, "IPolicyValidationPlugin"):
    _INTERFACES.append(cdk.IPolicyValidationPlugin)


@jsii.implements(*_INTERFACES)
class PinpointEmailInventory:
    """Lists, at synth, what the app still has on Pinpoint email, with the next step for each.

    Args:
        fail_on_findings: False (the default) reports the findings and lets the synth succeed;
            True fails the synth while anything is left on Pinpoint email.
    """

    def __init__(self, *, fail_on_findings: bool = False) -> None:
        if not isinstance(fail_on_findings, bool):
            raise TypeError(
                f"fail_on_findings {fail_on_findings!r} is {type(fail_on_findings).__name__}: "
                "give True or False"
            )
        self.fail_on_findings = fail_on_findings

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str | None:
        return __version__

    @property
    def rule_ids(self) -> list[str] | None:
        return list(RULES)

    def validate(
        self, context: cdk.IPolicyValidationContextBeta1
    ) -> cdk.PolicyValidationPluginReportBeta1:
        severity = "error" if self.fail_on_findings else "warning"
        try:
            stacks = findings(read_templates(Path(p) for p in context.template_paths))
        except Exception as error:  # AssemblyError, or a shape no rule expected
            reason = str(error) if isinstance(error, AssemblyError) else repr(error)
            violation = cdk.PolicyViolationBeta1(
                rule_name="pinpoint-email-inventory-error",
                description=f"the inventory could not be made: {reason}",
                violating_resources=[],
                fix="synthesize again; if it persists, report the file named here",
                severity=severity,
            )
            return cdk.PolicyValidationPluginReportBeta1(
                success=not self.fail_on_findings, violations=[violation]
            )
        violations = _violations(stacks, severity)
        if violations and not self.fail_on_findings and not _PRINTS_SUCCESSFUL_REPORTS:
            _print_report(violations)
        return cdk.PolicyValidationPluginReportBeta1(
            success=not (self.fail_on_findings and violations),
            violations=violations,
            plugin_version=__version__,
        )
