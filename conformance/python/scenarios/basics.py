"""Connection, account and a first round trip of a small file (the seed's first steps)."""
import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, run  # noqa: E402

from huggingface_hub import HfApi, hf_hub_download  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError  # noqa: E402


def whoami(ctx):
    me = ctx.api.whoami()
    eq(me["name"], ctx.user, "whoami name")
    eq(me["type"], "user", "whoami type")
    eq(me["auth"]["accessToken"]["role"], "write", "token role")


def token_kinds(ctx):
    """A fine-grained and an OAuth token (seeded by the driving test) as whoami-v2 shows them."""
    fine = HfApi(endpoint=ctx.endpoint, token=ctx.args["fine_grained"]).whoami()["auth"]
    eq((fine["type"], fine["accessToken"]["role"]), ("access_token", "fineGrained"), "a fine-grained token")
    scoped = fine["accessToken"]["fineGrained"]["scoped"]
    eq([(s["entity"]["type"], s["entity"]["name"], s["permissions"]) for s in scoped], [("user", ctx.user, ["repo.content.read", "repo.write"])], "its scopes")
    oauth_api = HfApi(endpoint=ctx.endpoint, token=ctx.args["oauth"])
    oauth = oauth_api.whoami()["auth"]
    eq((oauth["type"], "accessToken" in oauth, bool(oauth.get("expiresAt"))), ("oauth", False, True), "an OAuth token")
    # huggingface_hub#4972: with an OAuth token the Hub answers a restart with 401 (over https the client reports it
    # as RepositoryNotFoundError, a subclass: its repo-URL rule only matches https endpoints), while a pause works.
    space = ctx.repo_id("oauth")
    ctx.api.create_repo(space, repo_type="space", space_sdk="docker")
    try:
        oauth_api.restart_space(space)
    except HfHubHTTPError as error:
        eq(error.response.status_code, 401, "restart with an OAuth token")
    else:
        raise AssertionError("restart with an OAuth token: expected a 401")
    eq(oauth_api.pause_space(space).stage, "PAUSED", "pause with an OAuth token")


def small_file_round_trip(ctx):
    repo = ctx.repo_id("basics")
    url = ctx.api.create_repo(repo)
    eq(url.repo_id, repo, "create_repo id")
    payload = b"hello from the python referee\n"
    info = ctx.api.upload_file(path_or_fileobj=payload, path_in_repo="notes/hello.txt", repo_id=repo, commit_message="add hello")
    eq(len(info.oid), 40, "commit oid")
    eq(ctx.api.list_repo_files(repo), [".gitattributes", "notes/hello.txt"], "list_repo_files")
    with tempfile.TemporaryDirectory() as cache:
        path = hf_hub_download(repo, "notes/hello.txt", cache_dir=cache, token=ctx.token)
        with open(path, "rb") as f:
            eq(f.read(), payload, "downloaded bytes")
        eq(os.path.basename(os.path.dirname(os.path.dirname(path))), info.oid, "snapshot folder is the commit")
    eq(hashlib.sha1(b"blob %d\0" % len(payload) + payload).hexdigest(),
       ctx.api.get_paths_info(repo, ["notes/hello.txt"])[0].blob_id, "blob id is git's")


run("basics", [whoami, token_kinds, small_file_round_trip])
