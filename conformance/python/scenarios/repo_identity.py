"""Repo ids as huggingface_hub uses them: canonical ids without a namespace and renamed repos.

`repo_exists`, `file_exists` and `revision_exists` answer False only on `X-Error-Code: RepoNotFound`
(or `EntryNotFound`, `RevisionNotFound`), so a bare id that does not exist must carry the code. A repo
moved with `move_repo` leaves a relative redirect behind that the client follows, for the API and
for downloads. The canonical repo is seeded by the driving test (CONFORMANCE_ARGS["canonical"]).
"""
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, run  # noqa: E402

from huggingface_hub import hf_hub_download  # noqa: E402


def missing_bare_ids_answer_false(ctx):
    missing = f"none{uuid.uuid4().hex[:8]}"
    eq(ctx.api.repo_exists(missing), False, "repo_exists of a missing bare model id")
    eq(ctx.api.repo_exists(missing, repo_type="dataset"), False, "repo_exists of a missing bare dataset id")
    eq(ctx.api.file_exists(missing, "config.json"), False, "file_exists in a missing bare id")
    eq(ctx.api.revision_exists(missing, "main"), False, "revision_exists in a missing bare id")


def canonical_repo_is_served(ctx):
    name = ctx.args["canonical"]
    eq(ctx.api.repo_exists(name), True, "repo_exists")
    eq(ctx.api.model_info(name).id, name, "model_info id")
    eq(ctx.api.file_exists(name, "config.json"), True, "file_exists")
    eq(ctx.api.file_exists(name, "absent.json"), False, "file_exists of a missing file")
    path = hf_hub_download(name, "config.json", endpoint=ctx.endpoint, token=ctx.token)
    with open(path, encoding="utf-8") as f:
        eq(f.read(), '{"model_type": "gpt2"}', "downloaded content")


def moved_repo_redirects(ctx):
    old = ctx.repo_id("before")
    new = ctx.repo_id("after")
    ctx.api.create_repo(old)
    ctx.api.upload_file(path_or_fileobj=b"moved content", path_in_repo="a.txt", repo_id=old)
    ctx.api.move_repo(old, new)
    eq(ctx.api.model_info(old).id, new, "model_info of the old id follows to the new one")
    path = hf_hub_download(old, "a.txt", endpoint=ctx.endpoint, token=ctx.token)
    with open(path, encoding="utf-8") as f:
        eq(f.read(), "moved content", "download through the old id")


run("repo_identity", [missing_bare_ids_answer_false, canonical_repo_is_served, moved_repo_redirects])
