"""Storage Buckets as huggingface_hub drives them, against the local hub.

hf_xet is not in the referee, so Python writes nothing here: the driving test seeds the bucket with
hfctl (CONFORMANCE_ARGS["seeded"], files `top.txt` and `dir/sub/data.bin`) and Python reads what hfctl
put there — info, list, tree (with its %2F-encoded prefix), paths-info and the resolve HEAD that
`download_bucket_files` needs — then manages buckets of its own: create, move, delete.
"""
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, raises, run, status_of  # noqa: E402

from huggingface_hub.errors import HfHubHTTPError  # noqa: E402


def reads_what_hfctl_wrote(ctx):
    bucket = ctx.args["seeded"]
    info = ctx.api.bucket_info(bucket)
    eq(info.id, bucket, "id")
    eq(info.private, True, "hfctl creates private buckets")
    eq(info.total_files, 2, "total files")
    eq(info.size, ctx.args["size"], "size")
    eq([b.id for b in ctx.api.list_buckets() if b.id == bucket], [bucket], "list_buckets")
    top = list(ctx.api.list_bucket_tree(bucket))
    eq(sorted((e.type, e.path) for e in top), [("directory", "dir"), ("file", "top.txt")], "first level")
    deep = [e for e in ctx.api.list_bucket_tree(bucket, prefix="dir/sub", recursive=True) if e.type == "file"]
    eq([e.path for e in deep], ["dir/sub/data.bin"], "tree under a prefix with a slash")
    if deep[0].mtime is None or len(deep[0].xet_hash) != 64:
        raise AssertionError(f"a file entry lacks mtime or xetHash: {deep[0]!r}")
    found = list(ctx.api.get_bucket_paths_info(bucket, ["top.txt", "dir", "nope.txt"]))
    eq([f.path for f in found], ["top.txt"], "paths-info keeps files only")
    meta = ctx.api.get_bucket_file_metadata(bucket, "dir/sub/data.bin")
    eq(meta.size, deep[0].size, "metadata size")
    eq(meta.xet_file_data.file_hash, deep[0].xet_hash, "metadata xet hash")


def create_move_and_delete(ctx):
    name = f"py-{uuid.uuid4().hex[:10]}"
    url = ctx.api.create_bucket(name)
    eq(url.bucket_id, f"{ctx.user}/{name}", "created id")
    eq(ctx.api.bucket_info(url.bucket_id).private, False, "public unless private is sent")
    ctx.api.create_bucket(url.bucket_id, exist_ok=True)
    error = raises(HfHubHTTPError, lambda: ctx.api.create_bucket(url.bucket_id), "duplicate")
    eq(status_of(error), 409, "duplicate status")
    secret = ctx.api.create_bucket(f"{name}-p", private=True)
    eq(ctx.api.bucket_info(secret.bucket_id).private, True, "private")
    error = raises(HfHubHTTPError, lambda: ctx.anonymous.bucket_info(secret.bucket_id), "anonymous on a private bucket")
    eq(status_of(error), 401, "anonymous status")
    moved = f"{ctx.user}/{name}-moved"
    ctx.api.move_bucket(url.bucket_id, moved)
    eq(ctx.api.bucket_info(moved).id, moved, "moved")
    ctx.api.delete_bucket(moved)
    ctx.api.delete_bucket(secret.bucket_id)
    ctx.api.delete_bucket(moved, missing_ok=True)
    error = raises(HfHubHTTPError, lambda: ctx.api.bucket_info(moved), "info after delete")
    eq(status_of(error), 404, "status after delete")


if __name__ == "__main__":
    run("buckets", [reads_what_hfctl_wrote, create_move_and_delete])
