"""Gated repos as huggingface_hub meets them: GatedRepoError for callers without access, the
access-request admin calls, and downloads once access is granted.

Asking for access is done on the Hub's web page, which the client never calls; the scenario posts
to the local hub's stand-in for it (`/{repo}/ask-access`) with httpx, as that page would.
"""
import os
import sys
import tempfile

import httpx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, raises, run, status_of  # noqa: E402

from huggingface_hub import hf_hub_download  # noqa: E402
from huggingface_hub.errors import GatedRepoError  # noqa: E402


def _gated_repo(ctx, mode):
    repo = ctx.repo_id("gated")
    ctx.api.create_repo(repo)
    ctx.api.upload_file(path_or_fileobj=b"{}", path_in_repo="config.json", repo_id=repo)
    ctx.api.update_repo_settings(repo, gated=mode)
    return repo


def _download(ctx, repo, token):
    # A fresh cache each time, so that every call asks the hub.
    return hf_hub_download(repo, "config.json", endpoint=ctx.endpoint, token=token, cache_dir=tempfile.mkdtemp(dir=os.environ["HF_HOME"]))


def _ask(ctx, repo, token):
    response = httpx.post(f"{ctx.endpoint}/{repo}/ask-access", headers={"authorization": f"Bearer {token}"})
    response.raise_for_status()
    return response.json()["status"]


def callers_without_access_get_gated_repo_error(ctx):
    repo = _gated_repo(ctx, "auto")
    eq(ctx.api.model_info(repo).gated, "auto", "model_info.gated")
    error = raises(GatedRepoError, lambda: _download(ctx, repo, False), "anonymous download")
    eq(status_of(error), 401, "anonymous status")
    other = ctx.args["other"]["token"]
    error = raises(GatedRepoError, lambda: _download(ctx, repo, other), "download without access")
    eq(status_of(error), 403, "signed-in status")
    with open(_download(ctx, repo, ctx.token), encoding="utf-8") as f:
        eq(f.read(), "{}", "the owner downloads")


def manual_requests_are_accepted_by_the_owner(ctx):
    repo = _gated_repo(ctx, "manual")
    name, token = ctx.args["requester"]["user"], ctx.args["requester"]["token"]
    eq(_ask(ctx, repo, token), "pending", "status after asking")
    raises(GatedRepoError, lambda: _download(ctx, repo, token), "download while pending")
    eq([r.username for r in ctx.api.list_pending_access_requests(repo)], [name], "pending list")
    ctx.api.accept_access_request(repo, name)
    eq([r.username for r in ctx.api.list_accepted_access_requests(repo)], [name], "accepted list")
    with open(_download(ctx, repo, token), encoding="utf-8") as f:
        eq(f.read(), "{}", "download once accepted")
    ctx.api.reject_access_request(repo, name, rejection_reason="no")
    eq([r.username for r in ctx.api.list_rejected_access_requests(repo)], [name], "rejected list")
    raises(GatedRepoError, lambda: _download(ctx, repo, token), "download once rejected")
    other = ctx.args["other"]["user"]
    ctx.api.grant_access(repo, other)
    with open(_download(ctx, repo, ctx.args["other"]["token"]), encoding="utf-8") as f:
        eq(f.read(), "{}", "download once granted")


run("gated", [callers_without_access_get_gated_repo_error, manual_requests_are_accepted_by_the_owner])
