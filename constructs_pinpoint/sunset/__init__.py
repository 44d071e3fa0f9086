"""What is still on Pinpoint email in a synthesized cloud assembly, and the next step for each.

``python -m constructs_pinpoint.sunset [CDK_OUT] [--json]`` (default ``cdk.out``) reads the
assembly: its stacks, its Stages' stacks and their nested stacks (:mod:`.assembly`), decides what
stops with Pinpoint email (:mod:`.rules`, with :mod:`.references`, :mod:`.roles`, :mod:`.iam`;
the findings in :mod:`.model`, their next steps in :mod:`.steps`) and prints it
(:mod:`.render`). It makes
no AWS call and imports no aws_cdk. ``--guide`` prints the move guide shipped in the package.

Exit status: 0 when nothing is left on Pinpoint email, 1 when something is, 2 when the inventory
cannot be made (one ``error:`` line on stderr naming the file and the problem).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..handler.contract import MOVING_TO_SES_GUIDE_COMMAND, NATIVE_RESOURCE_TYPE
from .assembly import AssemblyError, read_assembly
from .guide import (
    NATIVE_REMOVE,
    NATIVE_RETAIN,
    NATIVE_SENDERS,
    SECTIONS,
    STEP_REMOVE,
    STEP_RETAIN,
    STEP_SWITCH,
    read_guide,
)
from .model import (
    Channel,
    Check,
    Function,
    PinpointResource,
    Role,
    StackInventory,
    Step,
)
from .render import SCHEMA_VERSION, to_json, to_text
from .rules import findings

__all__ = [
    "EXIT_CLEAN",
    "EXIT_INVALID",
    "EXIT_REMAINING",
    "NATIVE_REMOVE",
    "NATIVE_RESOURCE_TYPE",
    "NATIVE_RETAIN",
    "NATIVE_SENDERS",
    "SCHEMA_VERSION",
    "SECTIONS",
    "STEP_REMOVE",
    "STEP_RETAIN",
    "STEP_SWITCH",
    "AssemblyError",
    "Channel",
    "Check",
    "Function",
    "PinpointResource",
    "Role",
    "StackInventory",
    "Step",
    "inventory",
    "main",
]

EXIT_CLEAN, EXIT_REMAINING, EXIT_INVALID = 0, 1, 2


def inventory(cdk_out: Path) -> list[StackInventory]:
    """Every template of the assembly at ``cdk_out`` (stages and nested stacks included), with
    what is still on Pinpoint email. Raises :class:`AssemblyError` when it cannot be made."""
    return findings(read_assembly(Path(cdk_out)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m constructs_pinpoint.sunset",
        description="List what a synthesized CDK app still has on Pinpoint email, and the next "
        "step of the move to SES for each. Reads the cloud assembly only: no AWS call.",
        epilog="exit status: 0 nothing left on Pinpoint email, 1 something is, 2 the inventory "
        f"could not be made. The guide: {MOVING_TO_SES_GUIDE_COMMAND}",
    )
    parser.add_argument(
        "cdk_out",
        nargs="?",
        default="cdk.out",
        type=Path,
        metavar="CDK_OUT",
        help="the cloud assembly directory `cdk synth` wrote (default: cdk.out)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=f"print JSON (schema_version {SCHEMA_VERSION}) for pipelines",
    )
    parser.add_argument("--guide", action="store_true", help="print the move guide and exit")
    return parser


def _print(text: str) -> None:
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stdout = None


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    arguments = _parser().parse_args(argv)
    if arguments.guide:
        try:
            guide = read_guide()
        except (OSError, UnicodeDecodeError) as error:
            print(f"error: the guide is missing from this installation: {error}", file=sys.stderr)
            return EXIT_INVALID
        _print(guide)
        return EXIT_CLEAN
    try:
        stacks = inventory(arguments.cdk_out)
    except AssemblyError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except RecursionError:
        print(f"error: {arguments.cdk_out}: a file is nested too deeply to read", file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:  # a shape no rule expected: still one line, never a traceback
        print(
            f"error: {arguments.cdk_out}: internal error of the inventory "
            f"({type(error).__name__}: {error}); please report it",
            file=sys.stderr,
        )
        return EXIT_INVALID
    render = to_json if arguments.json else to_text
    _print(render(arguments.cdk_out, stacks))
    return EXIT_REMAINING if any(stack.remaining for stack in stacks) else EXIT_CLEAN
