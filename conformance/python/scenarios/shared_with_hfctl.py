"""What hfctl leaves behind, read by huggingface_hub: files hfctl downloaded are found in the shared
cache without a request (local_files_only), and a SQLite snapshot `hfctl persist save` put in a
private dataset is a valid database whose manifest matches it. A file downloaded here is then read
back by hfctl from the same cache (the driving test checks that side).
"""
import hashlib
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, run  # noqa: E402

from huggingface_hub import hf_hub_download  # noqa: E402


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def reads_hfctls_cache_offline(ctx):
    path = hf_hub_download(ctx.args["repo"], "weights.bin", local_files_only=True)
    eq(_sha256(path), ctx.args["sha256"], "bytes of the file hfctl cached")


def downloads_into_the_shared_cache(ctx):
    path = hf_hub_download(ctx.args["repo"], "notes.txt", endpoint=ctx.endpoint, token=ctx.token)
    with open(path, encoding="utf-8") as f:
        eq(f.read(), "shared notes", "notes")
    print(f"path {os.path.realpath(path)}", flush=True)


def reads_a_persisted_sqlite_snapshot(ctx):
    dataset = ctx.args["dataset"]
    eq(ctx.api.repo_info(dataset, repo_type="dataset").private, True, "the persist dataset is private")
    db = hf_hub_download(dataset, "db/app.sqlite", repo_type="dataset", endpoint=ctx.endpoint, token=ctx.token)
    manifest = hf_hub_download(dataset, ".hfpersist/db/app.sqlite.json", repo_type="dataset", endpoint=ctx.endpoint, token=ctx.token)
    with open(manifest, encoding="utf-8") as f:
        eq(json.load(f)["files"]["db/app.sqlite"]["sha256"], _sha256(db), "manifest SHA-256")
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        eq(connection.execute("PRAGMA integrity_check").fetchone()[0], "ok", "integrity")
        eq(connection.execute("SELECT count(*) FROM rows WHERE payload = 'first'").fetchone()[0], 1, "the saved row")
    finally:
        connection.close()


run("shared_with_hfctl", [reads_hfctls_cache_offline, downloads_into_the_shared_cache, reads_a_persisted_sqlite_snapshot])
