"""The handler's file asset: ``handler/*.py`` of this package, hashed and staged in Python.

Byte for byte what ``cdk.AssetStaging`` makes of the package directory with ``ASSET_EXCLUDE``
(the same hash, the same staged directory, the same manifest entry: tests/constructs/
test_provider.py checks it against AssetStaging under every option a user can set), without its
~25-50 ms of Node-side walking and copying in every synth process (docs/performance.md). Where
AssetStaging does more than hash and copy (a salt in the hash, no staging at all), it is
AssetStaging that does it.
"""

from __future__ import annotations

import functools
import inspect
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from constructs import Construct

if TYPE_CHECKING:
    from hashlib import sha256
else:  # CPython's own SHA-256: hashlib would load OpenSSL first (~3 ms of every synth)
    try:
        from _sha256 import sha256  # 3.11
    except ImportError:  # pragma: no cover
        try:
            from _sha2 import sha256  # 3.12+
        except ImportError:
            from hashlib import sha256

PACKAGE_DIR = Path(__file__).parent.parent
# Only the handler package: no CDK code, no bytecode, so the asset hash depends on the handler's
# source alone (the same options Code.from_asset had, hence the same hash).
ASSET_EXCLUDE = ["*", "!handler", "!handler/*.py"]
# Contexts under which cdk.AssetStaging does more than hash and copy: a salt in the hash, or no
# staging at all (the asset is then the source directory). There, cdk.AssetStaging does it.
SALT_CONTEXT = "@aws-cdk/core:assetHashSalt"
DISABLE_STAGING_CONTEXT = "aws:cdk:disable-asset-staging"
METADATA_CONTEXT = "aws:cdk:enable-asset-metadata"

# cdk.AssetStaging's source hash (aws-cdk-lib core/lib/fs/fingerprint.ts): SHA-256 over fields
# SOH header STX value ETX; each file's value is "<size>:<sha256>" of its bytes with CRLF read as
# LF, decoded per 8 KiB block (unless the first block has a NUL), as Node does.
_CHUNK = 8 * 1024


def field(digest: Any, header: str, value: str) -> None:
    digest.update(b"\x01" + header.encode() + b"\x02" + value.encode() + b"\x03")


def content_fingerprint(data: bytes) -> str:
    digest = sha256()
    size = 0
    binary = False
    pending = ""  # a block ending in CR waits for the next: its LF may follow
    for start in range(0, len(data), _CHUNK):
        block = data[start : start + _CHUNK]
        if size == 0:
            binary = b"\0" in block
        if binary:
            size += len(block)
            digest.update(block)
            continue
        text = block.decode("utf-8", "replace")
        if text.endswith("\r"):
            pending += text
            continue
        normal = (pending + text).replace("\r\n", "\n").encode()
        pending = ""
        size += len(normal)
        digest.update(normal)
    if pending:
        digest.update(pending.encode())  # not counted in the size, as in Node
    return f"{size}:{digest.hexdigest()}"


@functools.cache
def handler_files() -> tuple[tuple[str, bytes, int], ...]:
    """What ASSET_EXCLUDE keeps: handler/*.py (path in the asset, bytes, mode), sorted."""
    files = []
    for path in sorted((PACKAGE_DIR / "handler").iterdir()):
        if path.suffix == ".py" and not path.name.startswith(".") and path.is_file():
            files.append((f"handler/{path.name}", path.read_bytes(), path.stat().st_mode))
    return tuple(files)


@functools.cache
def asset_hash() -> str:
    digest = sha256()
    field(digest, "options.extra", "")
    field(digest, "options.follow", "external")
    for name, data, _mode in handler_files():
        field(digest, f"file:{name}", content_fingerprint(data))
    return digest.hexdigest()


def stage(asset_outdir: str) -> str:
    """Copy the handler files to <asset_outdir>/asset.<hash> unless there already (as
    cdk.AssetStaging does), atomically; returns that directory."""
    target = os.path.join(asset_outdir, f"asset.{asset_hash()}")
    if os.path.isdir(target):
        return target
    building = tempfile.mkdtemp(prefix=".building.", dir=asset_outdir)
    try:
        os.chmod(building, 0o755)
        os.mkdir(os.path.join(building, "handler"))
        for name, data, mode in handler_files():
            path = os.path.join(building, name)
            with open(path, "wb") as file:
                file.write(data)
            os.chmod(path, mode & 0o777)
        try:
            os.rename(building, target)
        except OSError:
            if not os.path.isdir(target):  # else another process staged it first
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


# FileAssetSource.display_name is newer (aws-cdk-lib 2.18x) than the oldest release supported.
_DISPLAY_NAMES = "display_name" in inspect.signature(cdk.FileAssetSource.__init__).parameters


def file_asset(
    stack: cdk.Stack, scope: Construct, display_name: str, context: dict[str, Any]
) -> tuple[str, str, str]:
    """Stage the handler asset, register it with the stack's synthesizer: (the staged path as
    the asset manifest has it, relative to the stack's assembly directory; its bucket; its key)."""
    if context.get(SALT_CONTEXT) or context.get(DISABLE_STAGING_CONTEXT):
        staging = cdk.AssetStaging(
            scope, "Code", source_path=str(PACKAGE_DIR), exclude=ASSET_EXCLUDE
        )
        asset_path = staging.relative_staged_path(stack)
        source_hash = staging.asset_hash
    else:
        stage_of = cdk.Stage.of(stack)
        assert stage_of is not None, "a Stack is always in a Stage (its App)"
        staged = stage(os.path.abspath(stage_of.asset_outdir))
        asset_path = os.path.relpath(staged, os.path.abspath(stage_of.outdir))
        source_hash = asset_hash()
    try:
        location = stack.synthesizer.add_file_asset(
            source_hash=source_hash,
            file_name=asset_path,
            packaging=cdk.FileAssetPackaging.ZIP_DIRECTORY,
            deploy_time=True,
            **({"display_name": display_name} if _DISPLAY_NAMES else {}),
        )
    except RuntimeError as error:
        if "StackSynthesizerBoundStackFirst" not in str(error):
            raise
        return _registered_by_node(scope, asset_path)
    return asset_path, location.bucket_name, location.object_key


def _registered_by_node(scope: Construct, asset_path: str) -> tuple[str, str, str]:
    """A stack synthesizer made in Python (``DefaultStackSynthesizer(qualifier=...)``) takes no
    ``add_file_asset`` call from Python: jsii answers StackSynthesizerBoundStackFirst. The L2
    ``Asset`` registers the same asset from Node, at the path ``Code.from_asset`` gave it (its
    staging finds the directory already staged); ``aws_s3_assets`` is imported only here."""
    from aws_cdk import aws_s3_assets

    code = aws_s3_assets.Asset(
        scope, "Code", path=str(PACKAGE_DIR), exclude=ASSET_EXCLUDE, deploy_time=True
    )
    return asset_path, code.s3_bucket_name, code.s3_object_key
