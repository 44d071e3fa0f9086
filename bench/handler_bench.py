#!/usr/bin/env python3
"""Cost of the Custom::PinpointEmailChannel handler per lifecycle event, and of importing it.

    python bench/handler_bench.py [--iterations 2000] [--json FILE]

Per event (in-process, botocore ``Stubber`` in place of Pinpoint, no network):

* ``process``: the decision and the Pinpoint call (``entry.process``), what a warm Lambda spends
  before answering; Stubber skips botocore's HTTP serialization and response parsing.
* ``on_event``: the whole entry point (worker thread, response body, JSON log line to
  /dev/null), with the PUT to the pre-signed ResponseURL replaced by an in-memory sink.

Each event must consume exactly its stubbed responses: the run fails otherwise, which verifies
the Pinpoint calls per lifecycle event. With channel ownership (issue 16, ownership tags on the
app): a first Create makes 3 (UpdateEmailChannel, ListTagsForResource, TagResource), an Update of
a channel it owns 2 (UpdateEmailChannel, ListTagsForResource), a Delete of a channel it owns 3
(ListTagsForResource, DeleteEmailChannel, UntagResource).

Import cost, in fresh subprocesses (best of several):

* ``import handler.entry`` with the asset root on sys.path, as the Lambda runtime imports it
  (botocore.exceptions is imported at module level by pinpoint_calls; boto3 is not);
* ``import constructs_pinpoint.handler.entry`` (adds the package __init__, i.e. aws_cdk);
* the first ``pinpoint_client()`` call after import: ``import boto3`` + client creation (a cold
  start pays it on the first event).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ASSET_ROOT = ROOT / "constructs_pinpoint"  # the Lambda asset's root holds handler/
APP = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
PROPERTIES = {
    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:x",
    "ApplicationId": APP,
    "FromAddress": "noreply@example.com",
    "Identity": IDENTITY,
    "Enabled": "true",
}
UPDATE_RESPONSE = {
    "EmailChannelResponse": {
        "ApplicationId": APP,
        "FromAddress": "noreply@example.com",
        "Identity": IDENTITY,
        "Enabled": True,
        "MessagesPerSecond": 14,
        "Version": 1,
        "Platform": "EMAIL",
    }
}
DELETE_RESPONSE = {"EmailChannelResponse": {"ApplicationId": APP, "Platform": "EMAIL"}}


class Context:
    log_stream_name = "bench"
    function_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def event(request_type: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "RequestType": request_type,
        "ResponseURL": "https://example.invalid/response?X-Amz-Signature=abc",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/Bench/1",
        "RequestId": "11111111-2222-3333-4444-555555555555",
        "LogicalResourceId": "Channel0",
        "ResourceType": "Custom::PinpointEmailChannel",
        "ResourceProperties": dict(PROPERTIES),
    }
    if request_type != "Create":
        result["PhysicalResourceId"] = APP
    if request_type == "Update":
        result["OldResourceProperties"] = dict(PROPERTIES, FromAddress="old@example.com")
    return result


def per_event(iterations: int, devnull: Any) -> dict[str, Any]:
    sys.path.insert(0, str(ASSET_ROOT))
    import boto3
    from botocore.stub import Stubber
    from handler import cfn_response, contract, entry, ownership  # type: ignore[import-not-found]
    from handler.log import get_logger  # type: ignore[import-not-found]

    client = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client("pinpoint")
    stubber = Stubber(client)
    stubber.activate()
    owner = ownership.owner_value(event("Create")["StackId"], event("Create")["LogicalResourceId"])
    untagged: dict[str, Any] = {"TagsModel": {"tags": {}}}
    owned: dict[str, Any] = {"TagsModel": {"tags": {contract.OWNER_TAG: owner}}}
    # The Pinpoint calls of each event, in order: (operation, response).
    operations: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "Create": [
            ("update_email_channel", UPDATE_RESPONSE),
            ("list_tags_for_resource", untagged),
            ("tag_resource", {}),
        ],
        "Update": [
            ("update_email_channel", UPDATE_RESPONSE),
            ("list_tags_for_resource", owned),
        ],
        "Delete": [
            ("list_tags_for_resource", owned),
            ("delete_email_channel", DELETE_RESPONSE),
            ("untag_resource", {}),
        ],
    }

    sent: list[bytes] = []
    cfn_response.put_response = lambda url, body, **kwargs: sent.append(body) or 200
    logger = get_logger()
    for log_handler in logger.handlers:
        log_handler.stream = devnull  # type: ignore[attr-defined]
    entry._client = client  # on_event's pinpoint_client() returns the stubbed client

    results: dict[str, Any] = {}
    for kind in ("process", "on_event"):
        for request_type, calls_of_one_event in operations.items():
            the_event = event(request_type)
            # Warm-up, then queue all responses outside the timed loop.
            for _ in range(20):
                for operation, response in calls_of_one_event:
                    stubber.add_response(operation, response)
            for _ in range(20):
                _run(kind, entry, the_event, client)
            for _ in range(iterations):
                for operation, response in calls_of_one_event:
                    stubber.add_response(operation, response)
            queued = len(stubber._queue)
            sent.clear()
            started = time.perf_counter()
            for _ in range(iterations):
                outcome = _run(kind, entry, the_event, client)
            elapsed = time.perf_counter() - started
            calls = queued - len(stubber._queue)
            if calls != iterations * len(calls_of_one_event):
                raise SystemExit(f"{request_type}: {calls} API calls for {iterations} events")
            if kind == "process" and outcome.status != "SUCCESS":
                raise SystemExit(f"{request_type}: {outcome.status} {outcome.reason}")
            if kind == "on_event" and (len(sent) != iterations or b'"SUCCESS"' not in sent[-1]):
                raise SystemExit(f"{request_type}: {len(sent)} answers, last {sent[-1:]!r}")
            results[f"{kind}/{request_type}"] = {
                "us_per_event": elapsed / iterations * 1e6,
                "api_calls_per_event": calls / iterations,
            }
    stubber.assert_no_pending_responses()
    return results


def _run(kind: str, entry: Any, the_event: dict[str, Any], client: Any) -> Any:
    if kind == "process":
        return entry.process(the_event, lambda: client, lambda: 60.0)
    return entry.on_event(the_event, Context())


def _fresh(code: str, *, cwd: Path, path: Path | None) -> float:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout
    return float(out.strip().splitlines()[-1])


def import_costs(repeats: int) -> dict[str, Any]:
    timed_import = (
        "import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    )
    first_client = (
        "import time; import {module} as e; import sys; "
        "assert 'boto3' not in sys.modules, 'boto3 imported eagerly'; "
        "t=time.perf_counter(); e.pinpoint_client(); print(time.perf_counter()-t)"
    )
    neutral = Path("/")
    cases = {
        "import handler.entry (Lambda layout)": (
            timed_import.format(module="handler.entry"),
            ASSET_ROOT,
        ),
        "import constructs_pinpoint.handler.entry": (
            timed_import.format(module="constructs_pinpoint.handler.entry"),
            None,
        ),
        "first pinpoint_client() (import boto3 + client)": (
            first_client.format(module="handler.entry"),
            ASSET_ROOT,
        ),
    }
    env = dict(
        os.environ, AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x"
    )
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    results: dict[str, Any] = {}
    for name, (code, path) in cases.items():
        times = [_fresh(code, cwd=neutral, path=path) for _ in range(repeats)]
        results[name] = {"ms_min": min(times) * 1000, "ms_median": statistics.median(times) * 1000}
    # -X importtime: the modules that dominate the Lambda-layout import.
    env2 = dict(os.environ, PYTHONPATH=str(ASSET_ROOT))
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import handler.entry"],
        cwd=neutral,
        env=env2,
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative_us, name = line[len("import time:") :].split("|")
        rows.append((int(cumulative_us), name.rstrip()))
    results["importtime_top"] = [
        {
            "module": name.strip(),
            "depth": (len(name) - len(name.lstrip()) - 1) // 2,
            "cumulative_ms": cumulative / 1000,
        }
        for cumulative, name in sorted(rows, reverse=True)[:10]
    ]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--import-repeats", type=int, default=5)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with open(os.devnull, "w") as devnull:
        events = per_event(args.iterations, devnull)
    imports = import_costs(args.import_repeats)
    out = io.StringIO()
    print("| handler path | event | µs/event | Pinpoint calls/event |", file=out)
    print("|---|---|---:|---:|", file=out)
    for key, value in events.items():
        kind, request_type = key.split("/")
        print(
            f"| `{kind}` | {request_type} | {value['us_per_event']:.0f} | "
            f"{value['api_calls_per_event']:.0f} |",
            file=out,
        )
    print("\n| import (fresh process) | min ms | median ms |", file=out)
    print("|---|---:|---:|", file=out)
    for key, value in imports.items():
        if key == "importtime_top":
            continue
        print(f"| {key} | {value['ms_min']:.1f} | {value['ms_median']:.1f} |", file=out)
    print(
        "\n`-X importtime` of `import handler.entry`, largest cumulative: "
        + ", ".join(
            f"{row['module']} {row['cumulative_ms']:.1f} ms"
            for row in imports["importtime_top"][:5]
        ),
        file=out,
    )
    text = out.getvalue()
    print(text)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"events": events, "imports": imports, "markdown": text}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
