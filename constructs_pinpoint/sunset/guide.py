"""The move guide shipped in the package, and the names of its sections the steps point to.

``moving-to-ses.md`` beside this module is the guide; docs/moving-to-ses.md in the repository is
the same file (tests/sunset/test_guide.py checks they are identical), so a wheel user, who has no
docs/ folder, reads it with ``python -m constructs_pinpoint.sunset --guide``.
"""

from __future__ import annotations

from importlib import resources

from ..handler.contract import MOVING_TO_SES_GUIDE_COMMAND

__all__ = ["GUIDE_FILE", "SECTIONS", "read_guide", "see"]

GUIDE_FILE = "moving-to-ses.md"

# Section headings of the guide; each step names one (tests/sunset/test_guide.py checks each).
STEP_SWITCH = "Step 1: switch the senders to SES v2"
STEP_RETAIN = "Step 2: retain the channel"
STEP_REMOVE = "Step 3: remove the channel"
NATIVE_RETAIN = "Native step 1: retain every CfnEmailChannel"
NATIVE_SENDERS = "Native step 2: move the senders to SES"
NATIVE_REMOVE = "Native step 3: remove the CfnEmailChannel"
CAMPAIGNS = "Campaigns, journeys and email templates"
EVENT_STREAMS = "Event streams"
ROLES = "Roles and their grants"
CHECKS = "What the inventory cannot see"
SECTIONS = (
    STEP_SWITCH,
    STEP_RETAIN,
    STEP_REMOVE,
    NATIVE_RETAIN,
    NATIVE_SENDERS,
    NATIVE_REMOVE,
    CAMPAIGNS,
    EVENT_STREAMS,
    ROLES,
    CHECKS,
)


def see(section: str) -> str:
    """Where a reader finds ``section``: the command that prints the guide, and the heading."""
    return f'"{section}" in `{MOVING_TO_SES_GUIDE_COMMAND}`'


def read_guide() -> str:
    return resources.files(__package__).joinpath(GUIDE_FILE).read_text(encoding="utf-8")
