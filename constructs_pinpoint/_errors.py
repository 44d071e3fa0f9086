from __future__ import annotations

from collections.abc import Sequence

from constructs import IConstruct

from .sending._text import counted


class ConstructValidationError(ValueError):
    """Invalid construct input; lists every problem found, each with its value and its fix.

    ``construct`` is the construct at fault, or its path where it was refused before it existed.
    """

    def __init__(self, construct: IConstruct | str, problems: Sequence[str]) -> None:
        self.path = construct if isinstance(construct, str) else construct.node.path
        self.problems = list(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"{self.path}: {counted(len(self.problems), 'invalid input')}:\n{listed}")
