"""The sending package runs where only the standard library and boto3 exist."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import constructs_pinpoint.sending as sending

PACKAGE_DIR = Path(sending.__file__).parent

# Make aws_cdk, constructs and jsii unimportable, then import the copied package
# and use it; also import config/message/results with boto3 and botocore blocked.
PROBE = textwrap.dedent(
    """
    import sys
    for name in ("aws_cdk", "constructs", "jsii"):
        sys.modules[name] = None
    LAZY = ("boto3", "botocore")
    for name in LAZY:
        sys.modules[name] = None
    import email_sending
    from email_sending import EmailMessage, SenderConfig, ENV_BACKEND
    from email_sending.config import DeliveryBackend
    EmailMessage(subject="s", text_body="t")
    assert SenderConfig.from_environ({ENV_BACKEND: "sesv2",
        "PINPOINT_EMAIL_FROM_ADDRESS": "a@example.com"}).backend is DeliveryBackend.SES_V2
    assert not any(m.startswith(("boto3", "botocore")) and sys.modules[m] is not None
                   for m in sys.modules)
    for name in LAZY:
        del sys.modules[name]
    from email_sending import PinpointEmailSender, sender_from_environment
    print("ok")
    """
)


def test_package_imports_without_aws_cdk_and_without_boto3_until_needed(
    tmp_path: Path,
) -> None:
    shutil.copytree(
        PACKAGE_DIR, tmp_path / "email_sending", ignore=shutil.ignore_patterns("__pycache__")
    )
    completed = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n{PROBE}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"


REPO_ROOT = PACKAGE_DIR.parent.parent


def test_installed_package_path_does_not_import_aws_cdk() -> None:
    """``import constructs_pinpoint.sending`` must not run the CDK side (a Lambda
    has boto3 but no aws-cdk-lib, and starting jsii there would fail)."""
    probe = textwrap.dedent(
        """
        import sys
        for name in ("aws_cdk", "constructs", "jsii"):
            sys.modules[name] = None
        from constructs_pinpoint.sending import EmailMessage, sender_from_environment
        from constructs_pinpoint.sending.config import DeliveryBackend
        print("ok")
        """
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r})\n{probe}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"


ALLOWED_TOP_LEVEL = {"boto3", "botocore", "__future__"} | set(sys.stdlib_module_names)


def test_package_imports_only_stdlib_boto3_and_itself() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in ALLOWED_TOP_LEVEL, f"{path.name} imports {name}"


MODULES = sorted(path.stem for path in PACKAGE_DIR.glob("*.py") if path.stem != "__init__")


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r})\n"
            f"import constructs_pinpoint.sending.{module}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def _imports_of_ours(path: Path) -> set[str]:
    """Sibling modules ``path`` imports, TYPE_CHECKING imports included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found - {"__init__"}


def test_the_import_graph_has_no_cycle_and_types_and_rules_sit_at_the_bottom() -> None:
    graph = {module: _imports_of_ours(PACKAGE_DIR / f"{module}.py") for module in MODULES}
    assert graph["rules"] == set() and graph["types"] == set()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, "import cycle: " + " -> ".join((*path, module))
        if module not in done:
            for imported in graph[module]:
                visit(imported, (*path, module))
            done.add(module)

    for module in MODULES:
        visit(module, ())
