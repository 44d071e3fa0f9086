"""One synthesis per shape set, session-scoped: the inventory reads them as any user's cdk.out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def shapes_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every shape of shapes.py in one App, with the plugin in report mode beside it."""
    import aws_cdk as cdk
    from sunset_shapes import build_shapes
    from synth_support import new_app

    from constructs_pinpoint.email_inventory import PinpointEmailInventory

    app = new_app(outdir=tmp_path_factory.mktemp("shapes.out"))
    cdk.Validations.of(app).add_plugins(PinpointEmailInventory())
    build_shapes(app)
    app.synth()
    return Path(app.outdir)


@pytest.fixture(scope="session")
def moved_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sunset_shapes import build_moved
    from synth_support import new_app

    app = new_app(outdir=tmp_path_factory.mktemp("moved.out"))
    build_moved(app)
    app.synth()
    return Path(app.outdir)
