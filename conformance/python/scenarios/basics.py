"""Connection, account and a first round trip of a small file (the seed's first steps)."""
import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, run  # noqa: E402

from huggingface_hub import hf_hub_download  # noqa: E402


def whoami(ctx):
    me = ctx.api.whoami()
    eq(me["name"], ctx.user, "whoami name")
    eq(me["type"], "user", "whoami type")
    eq(me["auth"]["accessToken"]["role"], "write", "token role")


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


run("basics", [whoami, small_file_round_trip])
