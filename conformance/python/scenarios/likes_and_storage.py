"""Likes and the storage list as huggingface_hub reads them: unlike, list_liked_repos,
list_repo_likers, repo info's like count, and list_user_repos (`hf repos ls`).

The client has no `like` call: "to prevent spam usage, it is not possible to like a repository from a
script". The scenario checks that a script's like is refused and gives likes through the local hub's admin
route, which stands in for a click on the Hub's page (the driving test passes the admin secret).
"""
import os
import sys

import httpx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, run  # noqa: E402


def _like(ctx, repo, repo_type="model"):
    refused = httpx.post(f"{ctx.endpoint}/api/{repo_type}s/{repo}/like", headers={"authorization": f"Bearer {ctx.token}"})
    eq(refused.status_code, 403, "a script's like")
    seeded = httpx.post(f"{ctx.endpoint}/_localhub/likes", headers={"x-localhub-admin": ctx.args["admin"]},
                        json={"user": ctx.user, "type": repo_type, "repo": repo})
    seeded.raise_for_status()


def likes(ctx):
    model = ctx.repo_id("liked")
    dataset = ctx.repo_id("liked-data")
    ctx.api.create_repo(model)
    ctx.api.create_repo(dataset, repo_type="dataset")
    _like(ctx, model)
    _like(ctx, dataset, "dataset")
    liked = ctx.api.list_liked_repos(ctx.user)
    eq(liked.models, [model], "liked models")
    eq(liked.datasets, [dataset], "liked datasets")
    eq(liked.total, 2, "total")
    eq([u.username for u in ctx.api.list_repo_likers(model)], [ctx.user], "likers")
    eq(ctx.api.model_info(model).likes, 1, "like count in model_info")
    ctx.api.unlike(model)
    eq(ctx.api.list_liked_repos(ctx.user).models, [], "liked models after unlike")
    eq(ctx.api.model_info(model).likes, 0, "like count after unlike")


def user_repos(ctx):
    repo = ctx.repo_id("stored")
    ctx.api.create_repo(repo, private=True)
    ctx.api.upload_file(path_or_fileobj=b"x" * 1000, path_in_repo="data.bin", repo_id=repo)
    listed = {r.id: r for r in ctx.api.list_user_repos()}
    if repo not in listed:
        raise AssertionError(f"{repo} not in list_user_repos: {sorted(listed)}")
    eq(listed[repo].type, "model", "type")
    eq(listed[repo].visibility, "private", "visibility")
    if listed[repo].storage < 1000:
        raise AssertionError(f"storage {listed[repo].storage} is less than the 1000 bytes uploaded")
    if not 0 < listed[repo].storage_percent <= 100:
        raise AssertionError(f"storage_percent {listed[repo].storage_percent}")


run("likes_and_storage", [likes, user_repos])
