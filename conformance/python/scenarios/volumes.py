"""Space volumes as huggingface_hub drives them (set_space_volumes, delete_space_volumes,
create_repo(space_volumes=...), duplicate_repo(space_volumes=...), SpaceRuntime.volumes), against
the local hub. The local hub refuses a source that does not exist or that the caller cannot read,
so the sources are created first.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, raises, run, status_of  # noqa: E402

from huggingface_hub import Volume  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError  # noqa: E402


def _as_tuples(volumes):
    return [(v.type, v.source, v.mount_path, v.revision, v.read_only, v.path) for v in volumes or []]


def _sources(ctx):
    ctx.api.create_bucket(f"{ctx.user}/store", exist_ok=True)
    ctx.api.create_repo(f"{ctx.user}/assets", repo_type="dataset", exist_ok=True)
    ctx.api.create_repo(f"{ctx.user}/m", exist_ok=True)


def set_read_and_delete(ctx):
    _sources(ctx)
    repo_id = ctx.repo_id("vol")
    bucket = Volume(type="bucket", source=f"{ctx.user}/store", mount_path="/data")
    ctx.api.create_repo(repo_id, repo_type="space", space_sdk="docker", space_volumes=[bucket])
    eq(_as_tuples(ctx.api.get_space_runtime(repo_id).volumes), [("bucket", f"{ctx.user}/store", "/data", None, None, None)], "volumes at creation")

    dataset = Volume(type="dataset", source=f"{ctx.user}/assets", mount_path="/assets", revision="refs/pr/1", path="sub/dir")
    ctx.api.set_space_volumes(repo_id, volumes=[bucket, dataset])
    expected = [("bucket", f"{ctx.user}/store", "/data", None, None, None),
                ("dataset", f"{ctx.user}/assets", "/assets", "refs/pr/1", True, "sub/dir")]
    eq(_as_tuples(ctx.api.get_space_runtime(repo_id).volumes), expected, "runtime volumes after set (repo forced read-only)")
    eq(_as_tuples(ctx.api.space_info(repo_id).runtime.volumes), expected, "space_info runtime volumes")
    eq(ctx.api.get_space_runtime(repo_id).volumes[1].to_uri(), f"hf://datasets/{ctx.user}/assets@refs/pr/1/sub/dir:/assets:ro", "to_uri")

    ctx.api.delete_space_volumes(repo_id)
    eq(ctx.api.get_space_runtime(repo_id).volumes, None, "runtime volumes after delete")
    error = raises(HfHubHTTPError, lambda: ctx.api.delete_space_volumes(repo_id), "delete with none attached")
    eq(status_of(error), 400, "status of a delete with none attached")


def refused(ctx):
    _sources(ctx)
    static_id = ctx.repo_id("site")
    ctx.api.create_repo(static_id, repo_type="space", space_sdk="static")
    error = raises(HfHubHTTPError, lambda: ctx.api.set_space_volumes(
        static_id, volumes=[Volume(type="bucket", source=f"{ctx.user}/b", mount_path="/data")]), "volumes on a static Space")
    eq(status_of(error), 400, "static status")
    if "volumes are not supported on static Spaces" not in str(error):
        raise AssertionError(f"static message: {error}")

    repo_id = ctx.repo_id("rw")
    ctx.api.create_repo(repo_id, repo_type="space", space_sdk="docker")
    error = raises(HfHubHTTPError, lambda: ctx.api.set_space_volumes(
        repo_id, volumes=[Volume(type="model", source=f"{ctx.user}/m", mount_path="/m", read_only=False)]), "a read-write model")
    eq(status_of(error), 400, "read-write model status")
    error = raises(HfHubHTTPError, lambda: ctx.api.set_space_volumes(repo_id, volumes=[
        Volume(type="bucket", source=f"{ctx.user}/a", mount_path="/d"),
        Volume(type="bucket", source=f"{ctx.user}/b", mount_path="/d")]), "one mount path twice")
    eq(status_of(error), 400, "duplicate mount status")
    error = raises(HfHubHTTPError, lambda: ctx.api.set_space_volumes(
        repo_id, volumes=[Volume(type="bucket", source=f"{ctx.user}/no-such-bucket", mount_path="/d")]), "a missing bucket")
    eq(status_of(error), 400, "missing source status")
    if "not found" not in str(error):
        raise AssertionError(f"missing source message: {error}")
    eq(ctx.api.get_space_runtime(repo_id).volumes, None, "nothing set by refused calls")


def duplicate_with_volumes(ctx):
    _sources(ctx)
    source = ctx.repo_id("src")
    ctx.api.create_repo(source, repo_type="space", space_sdk="docker",
                        space_volumes=[Volume(type="bucket", source=f"{ctx.user}/store", mount_path="/data")])
    copy = ctx.repo_id("copy")
    ctx.api.duplicate_repo(source, copy, repo_type="space",
                           space_volumes=[Volume(type="model", source=f"{ctx.user}/m", mount_path="/models")])
    eq(_as_tuples(ctx.api.get_space_runtime(copy).volumes), [("model", f"{ctx.user}/m", "/models", None, True, None)], "the copy's volumes")


if __name__ == "__main__":
    run("volumes", [set_read_and_delete, refused, duplicate_with_volumes])
