"""What every scenario script shares: the hub it talks to, checks that report one line each, and helpers.

A script calls `run(name, checks)`; each check is a function taking a `Ctx`. A check passes when it
returns, fails when it raises. One line per check on stdout: `ok <script>/<check>` or
`FAIL <script>/<check>: <error>` followed by the traceback on stderr. The exit code is the count of
failures (capped at 100), so the driving xunit test fails on any of them.
"""
import json
import os
import sys
import traceback
import uuid

from huggingface_hub import HfApi


class Ctx:
    def __init__(self):
        self.endpoint = os.environ["HF_ENDPOINT"]
        self.token = os.environ["HF_TOKEN"]
        self.user = os.environ["HF_USER"]
        self.args = json.loads(os.environ.get("CONFORMANCE_ARGS") or "{}")
        self.api = HfApi(endpoint=self.endpoint, token=self.token)
        self.anonymous = HfApi(endpoint=self.endpoint, token=False)

    def other(self, key="other"):
        """The HfApi of another seeded user: (name, HfApi), from CONFORMANCE_ARGS[key] = {"user", "token"}."""
        other = self.args[key]
        return other["user"], HfApi(endpoint=self.endpoint, token=other["token"])

    def repo_id(self, prefix):
        return f"{self.user}/{prefix}-{uuid.uuid4().hex[:10]}"


def eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def raises(kind, call, what=""):
    """Runs `call`; returns the exception of type `kind` it raised, fails if it raised nothing or another kind."""
    try:
        result = call()
    except kind as error:
        return error
    raise AssertionError(f"{what}: expected {kind.__name__}, got a result: {result!r}")


def status_of(error):
    response = getattr(error, "response", None)
    return None if response is None else response.status_code


def run(script, checks):
    ctx = Ctx()
    failures = 0
    for check in checks:
        name = f"{script}/{check.__name__}"
        try:
            check(ctx)
            print(f"ok {name}", flush=True)
        except Exception as error:  # every failure is reported, the next check still runs
            failures += 1
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            print(f"FAIL {name}: {type(error).__name__}: {first}", flush=True)
            traceback.print_exc(file=sys.stderr)
    sys.exit(min(failures, 100))
