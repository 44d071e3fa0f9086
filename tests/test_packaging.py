"""The package as users get it: ``python -m build`` makes an sdist and a wheel that ``twine check``
accepts, and the wheel, installed into a fresh venv (not the editable tree), synthesizes an app
and carries the handler and the sending layer's source. Offline: ``--no-isolation`` builds with
the project venv's setuptools, and the fresh venv sees the project venv's site-packages (aws-cdk-lib
and its dependencies) through a .pth file, so pip installs the wheel alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import tomllib
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest
from prefetch import environ as prefetch_environ
from prefetch import result as prefetch_result
from prefetch import start as prefetch_start
from prefetch import workdir as prefetch_workdir
from synth_support import REPO_ROOT

from constructs_pinpoint import _version

PACKAGE = REPO_ROOT / "constructs_pinpoint"
# Source the constructs stage into Lambda assets at synth time: the wheel must carry all of it.
SHIPPED_SOURCE = {
    folder: sorted(p.name for p in (PACKAGE / folder).glob("*.py"))
    for folder in ("handler", "sending")
}


def _run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=300, **kwargs
    )  # type: ignore[call-overload]
    assert run.returncode == 0, f"{command}: {run.stdout}\n{run.stderr}"
    return run  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Packaged:
    dist: Path
    """The built sdist and wheel."""
    venv: Path
    """A fresh venv with the built wheel installed (not the editable tree)."""
    out: Path
    """The cloud assembly SMALL_APP synthesized with that venv's python."""
    installed: dict[str, str]
    """What SMALL_APP printed: the imported package's file and version."""


def _build_install_and_synth() -> Packaged:
    """Build, install the wheel into a fresh venv offline, synthesize SMALL_APP with it: one
    background job (tests/prefetch.py), started when collection ends."""
    work = prefetch_workdir("packaging")
    dist = work / "dist"
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, REPO_ROOT)
    (wheel,) = dist.glob("constructs_pinpoint-*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    # aws-cdk-lib, constructs, jsii from the project venv; NOT its editable constructs_pinpoint
    # (a path in a .pth file is appended to sys.path, the .pth files inside it are not run).
    (site / "project-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--quiet",
        "--disable-pip-version-check",
        wheel,
    )
    (work / "small_app.py").write_text(SMALL_APP)
    env = {
        k: v for k, v in prefetch_environ().items() if not k.startswith(("AWS_", "CDK_", "PYTHON"))
    }
    env["PATH"] = os.pathsep.join([str(REPO_ROOT / "node_modules" / ".bin"), env["PATH"]])
    out = work / "cdk.out"
    run = _run(python, work / "small_app.py", out, cwd=work, env=env)
    installed = json.loads(run.stdout.splitlines()[-1])
    return Packaged(dist=dist, venv=venv, out=out, installed=installed)


def prefetch(item: pytest.Item) -> None:  # called by tests/conftest.py when collection ends
    if {"dist", "wheel", "packaged"} & set(getattr(item, "fixturenames", ())):
        prefetch_start("packaging", _build_install_and_synth)


@pytest.fixture(scope="module")
def packaged() -> Packaged:
    return prefetch_result("packaging", _build_install_and_synth)


@pytest.fixture(scope="module")
def dist(packaged: Packaged) -> Path:
    return packaged.dist


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (built,) = dist.glob("constructs_pinpoint-*.whl")
    return built


def test_build_makes_an_sdist_and_a_wheel_that_twine_accepts(dist: Path) -> None:
    version = _version.__version__
    assert sorted(p.name for p in dist.iterdir()) == [
        f"constructs_pinpoint-{version}-py3-none-any.whl",
        f"constructs_pinpoint-{version}.tar.gz",
    ]
    run = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert run.stdout.count("PASSED") == 2, run.stdout


def test_metadata_leaves_the_users_aws_cdk_lib_open(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(name).decode())
    assert metadata["Version"] == _version.__version__
    requires = metadata.get_all("Requires-Dist") or []
    # The floor is the oldest release tests/ends synthesizes on (AspectPriority, 2.172.0).
    assert "aws-cdk-lib<3,>=2.172.0" in requires
    assert "constructs<11,>=10.0.0" in requires
    assert not any("==" in r for r in requires if "extra ==" not in r), requires


def test_the_version_has_one_home() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["dynamic"] == ["version"]
    assert "version" not in pyproject["project"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "constructs_pinpoint._version.__version__"


def test_the_project_setup_installs_from_the_constraints_file() -> None:
    pins = dict(
        line.split("==", 1)
        for line in (REPO_ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert pins["aws-cdk-lib"] == "2.275.0"
    for tool in ("cdk-nag", "cfn-lint", "pytest", "mypy", "ruff", "pydantic", "build", "twine"):
        assert tool in pins, tool
    setup = (REPO_ROOT / "scripts" / "setup.sh").read_text()
    assert 'CONSTRAINTS="${CONSTRAINTS:-constraints.txt}"' in setup
    assert '-c "$CONSTRAINTS"' in setup


def test_the_wheel_carries_the_handler_and_the_sending_source(wheel: Path, dist: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "contract.py" in SHIPPED_SOURCE["handler"]
    for folder, files in SHIPPED_SOURCE.items():
        for file in files:
            assert f"constructs_pinpoint/{folder}/{file}" in names
    assert "constructs_pinpoint/py.typed" in names
    assert "constructs_pinpoint/_version.py" in names
    assert not any(name.startswith(("tests/", "bench/", "example/", "docs/")) for name in names)
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "README.md", "constructs_pinpoint/handler/contract.py"} <= members


SMALL_APP = textwrap.dedent(
    """
    import json, sys
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_
    import constructs_pinpoint
    from constructs_pinpoint import HANDLER_RUNTIME, EmailChannel, PinpointApp

    app = cdk.App(outdir=sys.argv[1], analytics_reporting=False)
    stack = cdk.Stack(app, "Small")
    channel = EmailChannel(
        stack,
        "Email",
        application=PinpointApp.from_application_id(
            stack, "Existing", "0123456789abcdef0123456789abcdef"
        ),
        from_address="noreply@example.com",
        identity="arn:aws:ses:eu-west-1:111111111111:identity/example.com",
    )
    sender = lambda_.Function(
        stack,
        "Sender",
        runtime=HANDLER_RUNTIME,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\\n    return None\\n"),
    )
    channel.configure_sender(sender)
    app.synth()
    installed = constructs_pinpoint
    print(json.dumps({"file": installed.__file__, "version": installed.__version__}))
    """
)


def test_the_installed_wheel_synthesizes_an_app(packaged: Packaged) -> None:
    installed, venv, out = packaged.installed, packaged.venv, packaged.out
    assert Path(installed["file"]).is_relative_to(venv), installed
    assert installed["version"] == _version.__version__
    template = json.loads((out / "Small.template.json").read_text())
    types = [r["Type"] for r in template["Resources"].values()]
    assert "Custom::PinpointEmailChannel" in types
    assert types.count("AWS::Lambda::Function") == 2
    assert "AWS::Lambda::LayerVersion" in types
    # The assets were staged from the installed wheel: the handler and the sending layer.
    staged = {p.relative_to(out).parts[1:] for p in out.glob("asset.*/**/*.py")}
    for file in SHIPPED_SOURCE["handler"]:
        assert any(parts[-2:] == ("handler", file) or parts == (file,) for parts in staged), file
    for file in SHIPPED_SOURCE["sending"]:
        assert ("python", "constructs_pinpoint", "sending", file) in staged, file
