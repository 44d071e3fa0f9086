"""README.md and docs/*.md: every fenced code block runs, every relative link resolves.

- ```python blocks run as programs, each in a fresh interpreter of this venv, in a tmp directory
  with ``CDK_OUTDIR`` inside it and no AWS credentials. The interpreter gets the environment a
  sending Lambda gets from ``configure_sender`` (SES v2 backend, region variables), so a module
  that calls ``sender_from_environment()`` at import time runs as it would in Lambda. A block
  that builds a ``cdk.App`` must synthesize it (into ``CDK_OUTDIR``). aws-cdk-lib's built-in
  CloudFormation validation is off (``CDK_VALIDATION=false``: ~3 s of CPU per synth) except for
  the README's own stack, which runs exactly as a user runs it.
- The README's own stack ("Using it in your own CDK app") also runs cdk-nag's AwsSolutions pack as
  written, with zero findings, no acknowledgment of its own (only the library's one, for the
  ownership tags) and no warning.
- Shell blocks (bash, sh, shell, console) hold only commands that a test runs: COMMANDS lists
  each, with the test (or CI file) that runs it.
- Other fences (json, jsonc, text, mermaid, ...) are not code.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from prefetch import environ as prefetch_environ
from prefetch import result as prefetch_result
from prefetch import start as start_prefetch
from prefetch import workdir as prefetch_workdir
from synth_support import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCUMENTS = [README, *sorted((REPO_ROOT / "docs").glob("*.md"))]
README_LIMIT = 15_000
OWN_APP_SECTION = "Using it in your own CDK app"

PYTHON_FENCES = {"python", "py", "python3"}
SHELL_FENCES = {"bash", "sh", "shell", "console", "shell-session"}

# Each shell command the docs may show (a full match, after trailing comments and spaces are
# removed), and what runs it: "tests/<file>.py::<test>" or a CI file that runs it verbatim.
_CLI_SYNTH = "tests/example_app/test_cli.py::test_cli_synth_writes_the_example_stack"
# ./scripts/synth.sh is the set-up plus the `cdk synth --quiet` that test_first_run runs.
_FIRST_RUN = "tests/example_app/test_first_run.py::test_cli_output_has_no_warning"
# docs/moving-to-ses.md's ```sh blocks, run verbatim with bash and no AWS credentials.
_MOVE_OFFLINE = "tests/constructs/test_move_to_ses.py::test_the_docs_commands_check_a_step_offline"
# The README's "Using it in your own CDK app" commands, run verbatim from an empty folder against a
# fresh clone (PyPI and npm): tests/ends, run by ./scripts/test-ends.sh in CI.
_NEWCOMER = "tests/ends/test_newcomer.py::test_readme_commands_run_from_an_empty_folder"
COMMANDS: dict[str, str] = {
    r"\./scripts/synth\.sh": _FIRST_RUN,
    r"\./scripts/synth\.sh -c env=(dev|staging|prod|all|pipeline)": (
        "tests/example_app/test_environments_cli.py"
    ),
    r"\./scripts/test\.sh": ".ci/run",
    r"source scripts/setup\.sh": "scripts/test.sh",
    r"cdk synth( --quiet)?": _CLI_SYNTH,
    r"cdk ls -c env=pipeline": "tests/example_app/test_environments_cli.py",
    r"python -m constructs_pinpoint\.sunset cdk\.out( --json)?": _MOVE_OFFLINE,
    r"mkdir -p previous && cp cdk\.out/Orders\.template\.json previous/": _MOVE_OFFLINE,
    r"cdk diff --app cdk\.out --template previous/Orders\.template\.json Orders": _MOVE_OFFLINE,
    r"\./scripts/test-ends\.sh": ".ci/run",
    **dict.fromkeys(
        [
            r"python3\.11 -m venv \.venv && \. \.venv/bin/activate",
            r'pip install "\$CLONE" "cdk-nag==3\.0\.2"',
            r"npm init -y >/dev/null",
            r"npm install --save-exact --save-dev aws-cdk@2\.1148\.1 node@22\.23\.3",
            r"npm install-scripts approve node",
            r'export PATH="\$PWD/node_modules/\.bin:\$PATH"',
            r"""echo '\{"app": "python app\.py"\}' > cdk\.json""",
        ],
        _NEWCOMER,
    ),
}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_REFERENCE_LINK = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$", re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)


@dataclass(frozen=True)
class Block:
    document: Path
    line: int
    language: str
    code: str
    section: str
    end: int  # the closing fence's line

    @property
    def lines(self) -> range:
        """0-based numbers of the lines from the opening to the closing fence."""
        return range(self.line - 1, self.end)

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(REPO_ROOT)}:{self.line}"


def _blocks(document: Path) -> list[Block]:
    """Fenced blocks, with the heading they sit under (CommonMark fences, any indentation)."""
    blocks: list[Block] = []
    lines = document.read_text(encoding="utf-8").splitlines()
    section = ""
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        heading = _HEADING.match(lines[index])
        if heading:
            section = heading.group(2)
        if not opening:
            index += 1
            continue
        fence, indent = opening.group("fence"), len(opening.group("indent"))
        body: list[str] = []
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            body.append(lines[end][indent:] if lines[end][:indent].strip() == "" else lines[end])
            end += 1
        assert end < len(lines), f"{document.name}:{index + 1}: unclosed code fence"
        language = opening.group("info").lower()
        code = "\n".join(body) + "\n"
        blocks.append(Block(document, index + 1, language, code, section, end + 1))
        index = end + 1
    return blocks


def _prose(document: Path) -> str:
    """The document without fenced blocks and code spans (links there are not links)."""
    lines = document.read_text(encoding="utf-8").splitlines()
    fenced = {number for block in _blocks(document) for number in block.lines}
    text = "\n".join(line for number, line in enumerate(lines) if number not in fenced)
    return _CODE_SPAN.sub("", text)


ALL_BLOCKS = [block for document in DOCUMENTS for block in _blocks(document)]
PYTHON_BLOCKS = [block for block in ALL_BLOCKS if block.language in PYTHON_FENCES]
SHELL_BLOCKS = [block for block in ALL_BLOCKS if block.language in SHELL_FENCES]


def _builds_app(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            if isinstance(function, ast.Name):
                name = function.id
            if name == "App":
                return True
    return False


def _adds_aws_solutions_checks(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_plugins"
        ):
            for argument in node.args:
                if isinstance(argument, ast.Call) and "AwsSolutionsChecks" in ast.unparse(
                    argument.func
                ):
                    return True
    return False


def _block_environment(outdir: Path, *, validation: bool) -> dict[str, str]:
    from constructs_pinpoint.sending import DeliveryBackend, SenderConfig

    environment = {
        name: value
        for name, value in prefetch_environ().items()
        if not name.startswith(("AWS_", "CDK_", "PINPOINT_EMAIL_"))
    }
    sender = SenderConfig(
        backend=DeliveryBackend.SES_V2,
        from_address="Example Orders <noreply@example.com>",
        identity_arn="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    )
    environment.update(sender.to_environ())
    environment.update(
        AWS_REGION="eu-west-1",  # Lambda sets both
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        CDK_OUTDIR=str(outdir),
        PYTHONPATH=str(REPO_ROOT),
        PATH=os.pathsep.join(
            [
                str(REPO_ROOT / "node_modules" / ".bin"),
                str(Path(sys.executable).parent),
                environment.get("PATH", ""),
            ]
        ),
    )
    if not validation:
        environment["CDK_VALIDATION"] = "false"
    return environment


def _run_python(block: Block, workdir: Path, *, validation: bool = False) -> Path:
    """Run the block as a program; returns the CDK out directory it had."""
    outdir = workdir / "cdk.out"
    script = workdir / "block.py"
    script.write_text(block.code, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)],
        cwd=workdir,
        env=_block_environment(outdir, validation=validation),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"{block.name} failed:\n{run.stdout}\n{run.stderr}"
    if _builds_app(ast.parse(block.code)):
        assert (outdir / "manifest.json").is_file(), (
            f"{block.name} builds a cdk.App but never synthesizes it into CDK_OUTDIR: "
            "end the block with app.synth(), and give the App no outdir"
        )
    return outdir


def _block_job(block: Block, *, validation: bool = False) -> tuple[str, Callable[[], Path]]:
    """The key and the job that runs ``block`` (in the background: tests/prefetch.py)."""
    return f"docs:{block.name}", lambda: _run_python(
        block, prefetch_workdir("docs"), validation=validation
    )


def prefetch(item: pytest.Item) -> None:
    """Start the program of a selected block test as soon as collection ends."""
    callspec = getattr(item, "callspec", None)
    name = getattr(item, "originalname", "")
    if name == "test_python_block_runs" and callspec is not None:
        start_prefetch(*_block_job(callspec.params["block"]))
    elif name == "test_readme_stack_passes_cdk_nag_as_written":
        start_prefetch(*_block_job(_readme_stacks()[0], validation=True))


def _readme_stacks() -> list[Block]:
    return [
        block
        for block in PYTHON_BLOCKS
        if block.document == README
        and block.section == OWN_APP_SECTION
        and _builds_app(ast.parse(block.code))
    ]


# The README's stack runs once, in test_readme_stack_passes_cdk_nag_as_written.
@pytest.mark.parametrize(
    "block",
    [block for block in PYTHON_BLOCKS if block not in _readme_stacks()],
    ids=lambda block: block.name,
)
def test_python_block_runs(block: Block) -> None:
    compile(block.code, block.name, "exec")
    assert "..." not in re.sub(r"(\"\"\"|''')[\s\S]*?\1|#.*", "", block.code), (
        f"{block.name} uses `...`: write a complete program"
    )
    prefetch_result(*_block_job(block))


def test_readme_stack_passes_cdk_nag_as_written() -> None:
    (block,) = _readme_stacks()
    tree = ast.parse(block.code)
    assert _adds_aws_solutions_checks(tree), (
        f"{block.name}: add cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))"
    )
    for needed in ("from_application_id", "EmailChannel(", "HANDLER_RUNTIME", "configure_sender"):
        assert needed in block.code, f"{block.name} does not show {needed}"
    # Findings are errors that fail app.synth() (tests/constructs/test_lint_and_nag.py shows it).
    outdir = prefetch_result(*_block_job(block, validation=True))
    report = json.loads((outdir / "validation-report.json").read_text())
    assert [plugin.get("violations") for plugin in report["pluginReports"]] in ([], [[]])
    # The two acknowledgments the library writes itself: the ownership tags' apps/* (limited by
    # aws:TagKeys), and SES GetAccount's "*" (it takes no resource). The README's user writes none.
    suppressed = sorted(
        (violation["acknowledgedId"], violation["acknowledgedAt"])
        for plugin in report["pluginReports"]
        for violation in plugin.get("suppressedViolations", [])
    )
    assert len(suppressed) == 2, suppressed
    (quota, quota_where), (ownership, where) = suppressed
    assert ownership.startswith("AwsSolutions::AwsSolutions-IAM5[Resource::arn:"), ownership
    assert ownership.endswith(":apps/*]")
    assert where.endswith("Provider/Role/DefaultPolicy/Resource")
    assert quota == "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
    assert quota_where.endswith("/SesSendQuotaPolicy")
    warnings = [
        entry
        for metadata in outdir.glob("*.metadata.json")
        for entries in json.loads(metadata.read_text()).values()
        for entry in entries
        if entry["type"] in ("aws:cdk:warning", "aws:cdk:error")
    ]
    assert warnings == []


def _commands(block: Block) -> list[str]:
    commands: list[str] = []
    pending = ""
    for raw in block.code.splitlines():
        line = raw.strip()
        if block.language in ("console", "shell-session"):
            if not line.startswith("$ ") and not pending:
                continue  # output
            line = line.removeprefix("$ ")
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = " ".join((pending + line).split())
        pending = ""
        if line:
            commands.append(line)
    return commands


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda block: block.name)
def test_shell_block_holds_only_commands_a_test_runs(block: Block) -> None:
    unknown = [
        command
        for command in _commands(block)
        if not any(re.fullmatch(pattern, command) for pattern in COMMANDS)
    ]
    assert unknown == [], (
        f"{block.name}: no test runs {unknown}; add the command and the test that runs it to "
        "COMMANDS in tests/test_docs.py, or show it as ```text"
    )


@pytest.mark.parametrize("pattern", COMMANDS)
def test_each_listed_command_names_what_runs_it(pattern: str) -> None:
    runner, _, test = COMMANDS[pattern].partition("::")
    path = REPO_ROOT / runner
    assert path.is_file(), f"{pattern}: {runner} does not exist"
    if test:
        assert re.search(rf"^def {re.escape(test)}\(", path.read_text(), re.M), (
            f"{pattern}: {runner} has no test {test}"
        )


def _anchors(document: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1 -2 ..."""
    anchors: set[str] = set()
    counts: dict[str, int] = {}
    fenced_lines = {number for block in _blocks(document) for number in block.lines}
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines()):
        heading = _HEADING.match(line)
        if not heading or number in fenced_lines:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(2))
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        seen = counts.get(slug, 0)
        counts[slug] = seen + 1
        anchors.add(slug if seen == 0 else f"{slug}-{seen}")
    return anchors


def _links(document: Path) -> list[str]:
    prose = _prose(document)
    return _INLINE_LINK.findall(prose) + _REFERENCE_LINK.findall(prose)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_links_resolve(document: Path) -> None:
    broken: list[str] = []
    for target in _links(document):
        parts = urlsplit(target)
        if parts.scheme:
            if parts.scheme == "mailto":
                ok = "@" in parts.path
            else:
                ok = parts.scheme in ("http", "https") and "." in parts.netloc
            if not ok:
                broken.append(f"{target}: not a well-formed http(s) link")
            continue
        base = REPO_ROOT if parts.path.startswith("/") else document.parent
        path = (base / parts.path.lstrip("/")).resolve() if parts.path else document
        if not path.exists():
            broken.append(f"{target}: {path.relative_to(REPO_ROOT)} does not exist")
            continue
        if parts.fragment and path.suffix == ".md" and parts.fragment not in _anchors(path):
            broken.append(f"{target}: no heading #{parts.fragment} in {path.name}")
    assert broken == [], f"{document.name}: broken links:\n" + "\n".join(broken)


def test_the_link_checker_can_fail(tmp_path: Path) -> None:
    document = tmp_path / "doc.md"
    document.write_text(
        "# Title\n\n[ok](#title) [bad](#nope) [gone](missing.md) [web](https//x)\n"
        "```text\n[in code](nowhere.md)\n```\n`[span](nowhere.md)`\n",
        encoding="utf-8",
    )
    assert _links(document) == ["#title", "#nope", "missing.md", "https//x"]
    assert _anchors(document) == {"title"}


def test_readme_is_a_front_page() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text) <= README_LIMIT, f"README.md is {len(text)} characters (limit {README_LIMIT})"
    headings = [m.group(2) for line in text.splitlines() if (m := _HEADING.match(line))]
    assert OWN_APP_SECTION in headings
    assert 'Validations.of(app).acknowledge("' not in text, "acknowledge takes cdk.Acknowledgment"


def test_readme_api_table_lists_every_public_name() -> None:
    import constructs_pinpoint
    import constructs_pinpoint.sending as sending

    text = README.read_text(encoding="utf-8")
    table = "\n".join(line for line in text.splitlines() if line.startswith("|"))
    missing = [name for name in constructs_pinpoint.__all__ if f"`{name}`" not in table]
    assert missing == [], f"README's API table lacks {missing}"
    main_sending = ["EmailMessage", "EmailSender", "sender_from_environment", "SenderConfig"]
    assert [name for name in main_sending if name in sending.__all__] == main_sending
    assert [name for name in main_sending if f"`{name}`" not in table] == []


def test_readme_pins_match_the_project() -> None:
    text = README.read_text(encoding="utf-8")
    package = json.loads((REPO_ROOT / "package.json").read_text())
    assert f"aws-cdk@{package['devDependencies']['aws-cdk']}" in text
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    pins = [
        requirement
        for requirements in project["project"].get("optional-dependencies", {}).values()
        for requirement in requirements
        if requirement.startswith("cdk-nag==")
    ]
    pins += re.findall(
        r"^cdk-nag==\S+",
        "\n".join(p.read_text() for p in REPO_ROOT.glob("*.txt")),
        re.M,
    )
    assert pins, "cdk-nag is pinned in pyproject.toml or a constraints file"
    assert all(pin in text for pin in set(pins)), f"README must show {set(pins)}"


def test_an_app_that_is_never_synthesized_fails(tmp_path: Path) -> None:
    code = "import aws_cdk as cdk\n\napp = cdk.App()\ncdk.Stack(app, 'S')\n"
    block = Block(REPO_ROOT / "docs" / "example.md", 1, "python", code, "", 6)
    with pytest.raises(AssertionError, match="never synthesizes"):
        _run_python(block, tmp_path)


def test_shell_commands_are_read_as_a_shell_would() -> None:
    bash = "# set up\n./scripts/synth.sh   # synth\ncdk ls \\\n  -c env=pipeline\n\n"
    console = "$ ./scripts/test.sh\n3 passed\n$ rm -rf cdk.out\n"
    docs = REPO_ROOT / "docs" / "example.md"
    assert _commands(Block(docs, 1, "bash", bash, "", 7)) == [
        "./scripts/synth.sh",
        "cdk ls -c env=pipeline",
    ]
    commands = _commands(Block(docs, 1, "console", console, "", 5))
    assert commands == ["./scripts/test.sh", "rm -rf cdk.out"]
    assert [c for c in commands if not any(re.fullmatch(p, c) for p in COMMANDS)] == [
        "rm -rf cdk.out"
    ]
