"""The seed's Spaces walk-through as huggingface_hub drives it against the local hub: a Docker Space
created and built, its stage and app URL, secrets (names only come back), variables, hardware, sleep
time, logs, pause and restart, duplication, the listing with runtimes and search_spaces, and a Space
made from a template (list_space_templates, create_repo(space_template=…)); the driving test passes the
admin secret, with which the scenario makes one of its Spaces a template as the Hub's allowlist would.
"""
import os
import sys
import uuid

import httpx

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, raises, run  # noqa: E402

DOCKERFILE = b'FROM python:3.12-slim\nCMD ["python", "-m", "http.server", "7860"]\n'


def _docker_space(ctx, prefix="web"):
    repo = ctx.repo_id(prefix)
    ctx.api.create_repo(repo, repo_type="space", space_sdk="docker")
    ctx.api.upload_file(path_or_fileobj=DOCKERFILE, path_in_repo="Dockerfile", repo_id=repo, repo_type="space")
    return repo


def docker_space_builds_and_runs(ctx):
    repo = _docker_space(ctx)
    runtime = ctx.api.wait_for_space(repo, timeout=60, poll_interval=0.2)
    eq(runtime.stage, "RUNNING", "stage after wait_for_space")
    info = ctx.api.space_info(repo)
    eq(info.sdk, "docker", "sdk")
    if not info.host or not info.host.startswith("http"):
        raise AssertionError(f"no app URL: host={info.host!r}")
    listed = {s.id: s for s in ctx.api.list_spaces(author=ctx.user, expand=["runtime"])}
    eq(listed[repo].runtime.stage, "RUNNING", "stage in list_spaces(expand=runtime)")
    build = list(ctx.api.fetch_space_logs(repo, build=True))
    if not build:
        raise AssertionError("no build log lines")
    name = repo.split("/")[1]
    hits = list(ctx.api.search_spaces(name))
    eq([h.id for h in hits], [repo], "search_spaces by the Space's name")
    eq((hits[0].sdk, hits[0].runtime.stage, hits[0].semantic_relevancy_score), ("docker", "RUNNING", 1.0), "the hit")
    eq(list(ctx.api.search_spaces(name, sdk="gradio")), [], "search_spaces with another sdk")


def secrets_and_variables(ctx):
    repo = _docker_space(ctx, "cfg")
    ctx.api.add_space_secret(repo, "API_KEY", "s3cr3t-value", description="for the app")
    secrets = ctx.api.get_space_secrets(repo)
    eq(sorted(secrets), ["API_KEY"], "secret names")
    ctx.api.delete_space_secret(repo, "API_KEY")
    eq(sorted(ctx.api.get_space_secrets(repo)), [], "secrets after delete")
    ctx.api.add_space_variable(repo, "MODE", "production")
    eq(ctx.api.get_space_variables(repo)["MODE"].value, "production", "variable value")
    ctx.api.delete_space_variable(repo, "MODE")
    eq(sorted(ctx.api.get_space_variables(repo)), [], "variables after delete")


def pause_restart_and_hardware(ctx):
    repo = _docker_space(ctx, "life")
    ctx.api.wait_for_space(repo, timeout=60, poll_interval=0.2)
    eq(ctx.api.pause_space(repo).stage, "PAUSED", "pause")
    ctx.api.restart_space(repo)
    eq(ctx.api.wait_for_space(repo, timeout=60, poll_interval=0.2).stage, "RUNNING", "running after restart")
    runtime = ctx.api.request_space_hardware(repo, "cpu-upgrade")
    eq(runtime.requested_hardware, "cpu-upgrade", "requested hardware")
    eq(ctx.api.wait_for_space(repo, timeout=60, poll_interval=0.2).hardware, "cpu-upgrade", "hardware after the rebuild")
    eq(ctx.api.set_space_sleep_time(repo, 3600).sleep_time, 3600, "sleep time")


def duplicate(ctx):
    source = _docker_space(ctx, "src")
    target = ctx.repo_id("copy")
    url = ctx.api.duplicate_space(source, to_id=target, private=True)
    eq(url.repo_id, target, "duplicate id")
    eq(ctx.api.space_info(target).private, True, "duplicate is private")
    eq(ctx.api.file_exists(target, "Dockerfile", repo_type="space"), True, "Dockerfile copied")


def from_a_template(ctx):
    source = _docker_space(ctx, "tpl")
    name = f"Template-{uuid.uuid4().hex[:8]}"
    seeded = httpx.post(f"{ctx.endpoint}/_localhub/space-templates", headers={"x-localhub-admin": ctx.args["admin"]},
                        json={"name": name, "repoId": source, "preferredPrivate": True})
    eq(seeded.status_code, 200, "registering the template")
    listed = {t.name: t for t in ctx.api.list_space_templates()}
    eq((listed[name].repo_id, listed[name].sdk, listed[name].preferred_private), (source, "docker", True), "the template as listed")
    repo = ctx.repo_id("made")
    # By its short name and without space_sdk: the client resolves both from the listing and sends `template`.
    ctx.api.create_repo(repo, repo_type="space", space_template=name.lower())
    info = ctx.api.space_info(repo)
    eq((info.sdk, info.private), ("docker", True), "sdk and privacy from the template")
    eq(ctx.api.file_exists(repo, "Dockerfile", repo_type="space"), True, "the template's Dockerfile")
    eq(ctx.api.wait_for_space(repo, timeout=60, poll_interval=0.2).stage, "RUNNING", "the new Space builds from it")
    raises(ValueError, lambda: ctx.api.create_repo(ctx.repo_id("none"), repo_type="space", space_template="no-such-template"),
           "an unknown template")


run("spaces", [docker_space_builds_and_runs, secrets_and_variables, pause_restart_and_hardware, duplicate, from_a_template])
