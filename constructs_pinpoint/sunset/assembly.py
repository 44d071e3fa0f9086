"""Reading a synthesized cloud assembly: every stack template, nested stacks and stages included.

Standard library only (no aws_cdk): the command runs on a bare ``cdk.out``. Anything this module
cannot understand raises :class:`AssemblyError` with one line naming the file and the problem.

What the CDK writes, and how it is followed:

- ``manifest.json``: artifacts of type ``aws:cloudformation:stack`` (``properties.templateFile``)
  and ``cdk:cloud-assembly`` (a Stage: ``properties.directoryName``, read recursively).
- Templates are JSON: the CDK writes no other format (``CfnInclude`` reads YAML but writes JSON),
  so a template that is not JSON is an error, not a skipped file.
- Nested stacks: an ``AWS::CloudFormation::Stack`` resource names its template through the
  resource's ``aws:asset:path`` metadata (written under the CDK CLI) or through its TemplateURL,
  whose object key is the hash of a file asset in the directory's ``*.assets.json``
  (``files.<hash>.source.path``). Followed to any depth.
- Construct paths, for display: the resource's ``aws:cdk:path`` metadata, else the stack's
  ``aws:cdk:logicalId`` metadata entries (``additionalMetadataFile`` or inline ``metadata``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["AssemblyError", "Template", "read_assembly", "read_templates"]

MAX_DEPTH = 50
_HASH_KEY = re.compile(r"([0-9a-f]{64})\.json")
_NESTED_LABEL = " Nested Stack Template"  # an asset's displayName, after the nested stack's path
_NESTED_RESOURCE = re.compile(r"^(?P<stack>.*)\.NestedStack/[^/]*\.NestedStackResource$")


class AssemblyError(Exception):
    """The inventory cannot be made; the message names the file and the problem."""


@dataclass
class Template:
    """One stack template (top-level or nested) as the rules read it."""

    name: str  # display name: "prod/Parent", "prod/Parent/Inner" for a nested stack
    file: Path
    data: dict[str, Any]
    paths: dict[str, str] = field(default_factory=dict)  # logical id -> construct path
    parent: Template | None = None
    unresolved_nested: list[str] = field(default_factory=list)  # nested stacks not in the assembly
    # A nested stack's Parameters, as its parent passes them (values of the parent's template).
    passed: dict[str, Any] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.data.get("Resources", {})
        return resources

    @property
    def parameters(self) -> dict[str, Any]:
        parameters = self.data.get("Parameters", {})
        return parameters if isinstance(parameters, dict) else {}

    def of_type(self, *types: str) -> list[tuple[str, dict[str, Any]]]:
        return [(lid, r) for lid, r in self.resources.items() if r["Type"] in types]

    def properties(self, logical_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = self.resources.get(logical_id, {}).get("Properties", {})
        return properties

    def path(self, logical_id: str) -> str | None:
        metadata = self.resources.get(logical_id, {}).get("Metadata", {})
        path = metadata.get("aws:cdk:path")
        return owner(path) if isinstance(path, str) else self.paths.get(logical_id)


def owner(path: str) -> str:
    """The construct a reader wrote: ``Stack/Email``, not ``/Stack/Email/Resource/Default``."""
    path = path.lstrip("/")
    for suffix in ("/Resource/Default", "/Resource", "/Default"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


# --- files ----------------------------------------------------------------------------------


def read_json(path: Path, what: str) -> dict[str, Any]:
    """A JSON object from ``path``, or AssemblyError naming the file and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssemblyError(f"{path}: no such file ({what})") from None
    except IsADirectoryError:
        raise AssemblyError(f"{path}: is a directory, expected the {what}") from None
    except UnicodeDecodeError as error:
        raise AssemblyError(f"{path}: not UTF-8 text ({what}): {error.reason}") from None
    except OSError as error:
        raise AssemblyError(f"{path}: cannot read the {what}: {error.strerror}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        hint = (
            " (the CDK writes JSON templates only)"
            if path.suffix.lower() in (".yaml", ".yml")
            else ": synthesize again with `cdk synth`"
        )
        raise AssemblyError(
            f"{path}: not valid JSON ({error.msg}, line {error.lineno} column {error.colno}){hint}"
        ) from None
    except RecursionError:
        raise AssemblyError(f"{path}: JSON nested too deeply to read ({what})") from None
    if not isinstance(value, dict):
        raise AssemblyError(f"{path}: expected a JSON object ({what}), got {_kind(value)}")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        bad = error.object[error.start : error.end].encode("utf-8", "backslashreplace")
        raise AssemblyError(
            f"{path}: a string holds an unpaired surrogate {bad.decode('ascii')} ({what}): "
            "not valid Unicode"
        ) from None
    except RecursionError:
        raise AssemblyError(f"{path}: JSON nested too deeply to read ({what})") from None
    return value


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def check_template(path: Path, template: dict[str, Any]) -> None:
    """The shape every rule relies on: Resources an object of objects with a string Type and,
    where present, object Properties and Metadata."""
    resources = template.get("Resources", {})
    if not isinstance(resources, dict):
        raise AssemblyError(f"{path}: 'Resources' is {_kind(resources)}, expected an object")
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            raise AssemblyError(f"{path}: resource {logical_id!r} is {_kind(resource)}")
        if not isinstance(resource.get("Type"), str):
            raise AssemblyError(f"{path}: resource {logical_id!r} has no string 'Type'")
        for key in ("Properties", "Metadata"):
            if key in resource and not isinstance(resource[key], dict):
                raise AssemblyError(
                    f"{path}: {key} of resource {logical_id!r} is {_kind(resource[key])}, "
                    "expected an object"
                )
    for key in ("Parameters", "Outputs"):
        if key in template and not isinstance(template[key], dict):
            raise AssemblyError(f"{path}: '{key}' is {_kind(template[key])}, expected an object")


# --- construct paths ------------------------------------------------------------------------


def _metadata_entries(directory: Path, artifact: dict[str, Any]) -> list[tuple[str, str]]:
    """(construct path, logical id) pairs of a stack artifact's metadata. Display only: a missing
    or broken metadata file leaves the paths out and is no error."""
    metadata: Any = artifact.get("metadata")
    extra = artifact.get("additionalMetadataFile")
    if isinstance(extra, str):
        try:
            metadata = read_json(directory / extra, "stack metadata")
        except AssemblyError:
            metadata = None
    pairs: list[tuple[str, str]] = []
    for path, entries in metadata.items() if isinstance(metadata, dict) else ():
        for entry in entries if isinstance(entries, list) else ():
            if (
                isinstance(entry, dict)
                and entry.get("type") == "aws:cdk:logicalId"
                and isinstance(entry.get("data"), str)
            ):
                pairs.append((str(path).lstrip("/"), entry["data"]))
    return pairs


def _paths_for(
    template: dict[str, Any], entries: list[tuple[str, str]], prefix: str
) -> dict[str, str]:
    resources = template.get("Resources", {})
    paths: dict[str, str] = {}
    for path, logical_id in sorted(entries, key=lambda pair: len(pair[0])):
        if logical_id in resources and path.startswith(prefix):
            paths.setdefault(logical_id, owner(path))
    return paths


# --- the assembly ---------------------------------------------------------------------------


class _Reader:
    def __init__(self) -> None:
        self.templates: list[Template] = []
        self.seen: set[Path] = set()
        self.asset_files: dict[Path, dict[str, str]] = {}
        self.display_names: dict[Path, str] = {}  # nested template -> "Inner/Deeper"

    def add(
        self,
        path: Path,
        name: str,
        entries: list[tuple[str, str]],
        prefix: str = "",
        parent: Template | None = None,
        depth: int = 0,
    ) -> None:
        resolved = path.resolve()
        if resolved in self.seen:
            return
        self.seen.add(resolved)
        data = read_json(path, f"template of {name}")
        check_template(path, data)
        template = Template(name, path, data, _paths_for(data, entries, prefix), parent)
        self.templates.append(template)
        for logical_id, resource in template.of_type("AWS::CloudFormation::Stack"):
            nested = self._nested_file(template, logical_id, resource)
            if nested is None:
                template.unresolved_nested.append(logical_id)
                continue
            if depth >= MAX_DEPTH:
                raise AssemblyError(f"{path}: nested stacks more than {MAX_DEPTH} deep")
            resource_path = template.path(logical_id) or ""
            match = _NESTED_RESOURCE.match(resource_path)
            nested_prefix = f"{match.group('stack')}/" if match else "\0"
            label = self.display_names.get(nested.resolve(), logical_id)
            nested_name = match.group("stack") if match else f"{name}/{label}"
            passed = resource.get("Properties", {}).get("Parameters")
            self.add(nested, nested_name, entries, nested_prefix, template, depth + 1)
            child = self.templates[-1] if self.templates[-1].file == nested else None
            if child is not None and isinstance(passed, dict):
                child.passed = passed

    def _nested_file(
        self, template: Template, logical_id: str, resource: dict[str, Any]
    ) -> Path | None:
        directory = template.file.parent
        asset_path = resource.get("Metadata", {}).get("aws:asset:path")
        if isinstance(asset_path, str):
            return directory / asset_path
        url = resource.get("Properties", {}).get("TemplateURL")
        try:
            keys = _HASH_KEY.findall(json.dumps(url))
        except (TypeError, ValueError, RecursionError):
            keys = []
        files = self._asset_files(directory)
        for key in keys:
            if key in files:
                return directory / files[key]
        return None  # a nested stack whose template is not in the assembly

    def _asset_files(self, directory: Path) -> dict[str, str]:
        if directory not in self.asset_files:
            files: dict[str, str] = {}
            for manifest in sorted(directory.glob("*.assets.json")):
                document = read_json(manifest, "asset manifest")
                entries = document.get("files", {})
                for key, entry in entries.items() if isinstance(entries, dict) else ():
                    source = entry.get("source") if isinstance(entry, dict) else None
                    source_path = source.get("path") if isinstance(source, dict) else None
                    if isinstance(source_path, str) and source_path.endswith(".json"):
                        files[str(key)] = source_path
                        label = entry.get("displayName")
                        if isinstance(label, str) and label.endswith(_NESTED_LABEL):
                            resolved = (directory / source_path).resolve()
                            self.display_names[resolved] = label.removesuffix(_NESTED_LABEL)
            self.asset_files[directory] = files
        return self.asset_files[directory]


def read_assembly(cdk_out: Path) -> list[Template]:
    """Every template of the assembly at ``cdk_out``: its stacks, its Stages' stacks, and their
    nested stacks, in manifest order (a nested stack right after its parent)."""
    if not cdk_out.is_dir():
        raise AssemblyError(
            f"{cdk_out}: no cloud assembly there: run `cdk synth` first, or pass the "
            "directory it wrote (CDK_OUT)"
        )
    reader = _Reader()
    _read_directory(reader, cdk_out, 0)
    return reader.templates


def _read_directory(reader: _Reader, directory: Path, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise AssemblyError(f"{directory}: nested assemblies more than {MAX_DEPTH} deep")
    manifest_path = directory / "manifest.json"
    manifest = read_json(manifest_path, "cloud assembly manifest")
    artifacts = manifest.get("artifacts", {})
    if not isinstance(artifacts, dict):
        raise AssemblyError(f"{manifest_path}: 'artifacts' is {_kind(artifacts)}, not an object")
    for artifact_id, artifact in artifacts.items():
        if not isinstance(artifact, dict):
            raise AssemblyError(f"{manifest_path}: artifact {artifact_id!r} is {_kind(artifact)}")
        properties = artifact.get("properties", {})
        if not isinstance(properties, dict):
            raise AssemblyError(
                f"{manifest_path}: properties of artifact {artifact_id!r} is {_kind(properties)}"
            )
        kind = artifact.get("type")
        if kind == "aws:cloudformation:stack":
            template_file = properties.get("templateFile")
            if not isinstance(template_file, str):
                raise AssemblyError(
                    f"{manifest_path}: stack {artifact_id!r} has no string templateFile"
                )
            name = artifact.get("displayName")
            entries = _metadata_entries(directory, artifact)
            reader.add(
                directory / template_file,
                name if isinstance(name, str) else artifact_id,
                entries,
            )
        elif kind == "cdk:cloud-assembly":
            nested = properties.get("directoryName")
            if not isinstance(nested, str):
                raise AssemblyError(
                    f"{manifest_path}: nested assembly {artifact_id!r} has no string directoryName"
                )
            _read_directory(reader, directory / nested, depth + 1)


def read_templates(paths: Iterable[str | Path]) -> list[Template]:
    """The templates at ``paths`` (top-level stack templates, as a policy-validation plugin
    gets them) and their nested stacks."""
    reader = _Reader()
    display: dict[Path, str] = {}
    for raw in paths:
        path = Path(raw)
        if path.parent.resolve() not in display:
            display[path.parent.resolve()] = ""
            display.update(_display_names(path.parent))
        name = display.get(path.resolve()) or path.name.removesuffix(".json").removesuffix(
            ".template"
        )
        reader.add(path, name, [])
    return reader.templates


def _display_names(directory: Path) -> dict[Path, str]:
    """Stack display names ("prod/Parent") by template file, from the directory's manifest.json
    when it has one (display only: a missing or odd manifest gives none)."""
    try:
        manifest = read_json(directory / "manifest.json", "cloud assembly manifest")
    except AssemblyError:
        return {}
    names: dict[Path, str] = {}
    artifacts = manifest.get("artifacts")
    for artifact in artifacts.values() if isinstance(artifacts, dict) else ():
        properties = artifact.get("properties") if isinstance(artifact, dict) else None
        template_file = properties.get("templateFile") if isinstance(properties, dict) else None
        name = artifact.get("displayName") if isinstance(artifact, dict) else None
        if isinstance(template_file, str) and isinstance(name, str):
            names[(directory / template_file).resolve()] = name
    return names
