"""Inference Endpoints as huggingface_hub drives them, against the local hub's Endpoints API.

The client's base URL is a constant (constants.INFERENCE_ENDPOINTS_ENDPOINT); it is pointed at the
local hub's `/_endpoints/v2`, which is what `hfctl --local` uses too.
"""
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, raises, run, status_of  # noqa: E402

from huggingface_hub import constants  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError  # noqa: E402


def _point_at_local_hub(ctx):
    constants.INFERENCE_ENDPOINTS_ENDPOINT = ctx.endpoint.rstrip("/") + "/_endpoints/v2"


def _create(ctx, name, **extra):
    return ctx.api.create_inference_endpoint(
        name, repository="openai-community/gpt2", framework="pytorch", task="text-generation",
        accelerator="cpu", vendor="aws", region="us-east-1", type="authenticated",
        instance_size="x2", instance_type="intel-icl", **extra)


def lifecycle(ctx):
    _point_at_local_hub(ctx)
    name = f"e-{uuid.uuid4().hex[:8]}"
    created = _create(ctx, name, min_replica=0, scale_to_zero_timeout=15)
    eq(created.name, name, "created name")
    eq(created.repository, "openai-community/gpt2", "repository")
    eq(created.namespace, ctx.user, "namespace")
    ready = created.wait(timeout=60, refresh_every=1)
    eq(ready.status, "running", "after wait")
    if not ready.url:
        raise AssertionError("a running endpoint has no url")
    eq([e.name for e in ctx.api.list_inference_endpoints()], [name], "list")
    eq(ctx.api.get_inference_endpoint(name).status, "running", "get")
    eq(ctx.api.resume_inference_endpoint(name).status, "running", "resume of a running one (running_ok)")
    eq(ctx.api.pause_inference_endpoint(name).status, "paused", "pause")
    eq(ctx.api.resume_inference_endpoint(name).status, "initializing", "resume")
    eq(ctx.api.get_inference_endpoint(name).wait(timeout=60, refresh_every=1).status, "running", "running again")
    eq(ctx.api.scale_to_zero_inference_endpoint(name).status, "scaledToZero", "scale to zero")
    ctx.api.delete_inference_endpoint(name)
    error = raises(HfHubHTTPError, lambda: ctx.api.get_inference_endpoint(name), "get after delete")
    eq(status_of(error), 404, "status after delete")


def duplicate_and_foreign_namespace(ctx):
    _point_at_local_hub(ctx)
    name = f"d-{uuid.uuid4().hex[:8]}"
    _create(ctx, name)
    error = raises(HfHubHTTPError, lambda: _create(ctx, name), "duplicate create")
    eq(status_of(error), 409, "duplicate status")
    other, _ = ctx.other()
    error = raises(HfHubHTTPError, lambda: ctx.api.list_inference_endpoints(namespace=other), "another user's namespace")
    eq(status_of(error), 401, "foreign namespace status")
    ctx.api.delete_inference_endpoint(name)


if __name__ == "__main__":
    run("endpoints", [lifecycle, duplicate_and_foreign_namespace])
