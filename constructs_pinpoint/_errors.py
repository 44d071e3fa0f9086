from __future__ import annotations

from collections.abc import Sequence

from constructs import IConstruct


class ConstructValidationError(ValueError):
    """Invalid construct input; lists every problem found, each with its value and its fix."""

    def __init__(self, construct: IConstruct, problems: Sequence[str]) -> None:
        self.path = construct.node.path
        self.problems = list(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{self.path}: {len(self.problems)} invalid input(s):\n{listed}")
