"""Files as huggingface_hub moves them against the local hub: folders with patterns, regular and LFS
files, snapshot_download, tree, commits and refs, branches and tags, and pull requests made by
create_commit(create_pr=True).
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, run  # noqa: E402

from huggingface_hub import CommitOperationAdd, hf_hub_download, snapshot_download  # noqa: E402


def _folder():
    root = tempfile.mkdtemp(dir=os.environ["HF_HOME"])
    for path, content in {"config.json": b"{}", "weights.bin": os.urandom(200_000), "notes/a.md": b"# a",
                          "notes/b.txt": b"b", "logs/run.log": b"noise"}.items():
        os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
        with open(os.path.join(root, path), "wb") as f:
            f.write(content)
    return root


def folder_with_patterns_and_snapshot(ctx):
    repo = ctx.repo_id("folder")
    ctx.api.create_repo(repo)
    folder = _folder()
    ctx.api.upload_folder(folder_path=folder, repo_id=repo, ignore_patterns=["logs/*"])
    files = sorted(ctx.api.list_repo_files(repo))
    eq(files, [".gitattributes", "config.json", "notes/a.md", "notes/b.txt", "weights.bin"], "files after upload_folder")
    tree = {e.path: e for e in ctx.api.list_repo_tree(repo, recursive=True, expand=True)}
    if tree["weights.bin"].lfs is None:
        raise AssertionError("weights.bin is not an LFS file")
    eq(tree["weights.bin"].size, 200_000, "LFS size")
    local = snapshot_download(repo, allow_patterns=["*.json", "notes/*"], endpoint=ctx.endpoint, token=ctx.token)
    got = sorted(os.path.relpath(os.path.join(d, f), local) for d, _, fs in os.walk(local) for f in fs)
    eq(got, ["config.json", "notes/a.md", "notes/b.txt"], "snapshot with allow_patterns")
    with open(hf_hub_download(repo, "weights.bin", endpoint=ctx.endpoint, token=ctx.token), "rb") as f, \
            open(os.path.join(folder, "weights.bin"), "rb") as original:
        eq(f.read() == original.read(), True, "LFS bytes round trip")


def commits_refs_branches_and_tags(ctx):
    repo = ctx.repo_id("refs")
    ctx.api.create_repo(repo)
    ctx.api.upload_file(path_or_fileobj=b"one", path_in_repo="a.txt", repo_id=repo, commit_message="first")
    ctx.api.create_branch(repo, branch="dev")
    ctx.api.upload_file(path_or_fileobj=b"two", path_in_repo="a.txt", repo_id=repo, revision="dev", commit_message="on dev")
    ctx.api.create_tag(repo, tag="v1", revision="dev")
    refs = ctx.api.list_repo_refs(repo)
    eq(sorted(b.name for b in refs.branches), ["dev", "main"], "branches")
    eq([t.name for t in refs.tags], ["v1"], "tags")
    eq([c.title for c in ctx.api.list_repo_commits(repo, revision="dev")][:2], ["on dev", "first"], "commits on dev")
    with open(hf_hub_download(repo, "a.txt", revision="v1", endpoint=ctx.endpoint, token=ctx.token), encoding="utf-8") as f:
        eq(f.read(), "two", "file at the tag")
    ctx.api.delete_branch(repo, branch="dev")
    eq(sorted(b.name for b in ctx.api.list_repo_refs(repo).branches), ["main"], "branches after delete")


def pull_request_by_create_commit(ctx):
    repo = ctx.repo_id("pr")
    ctx.api.create_repo(repo)
    ctx.api.upload_file(path_or_fileobj=b"base", path_in_repo="a.txt", repo_id=repo)
    commit = ctx.api.create_commit(repo, operations=[CommitOperationAdd("a.txt", b"proposed")],
                                   commit_message="propose", create_pr=True)
    if not commit.pr_url:
        raise AssertionError("no pr_url")
    eq(commit.pr_revision, f"refs/pr/{commit.pr_num}", "pr revision")
    with open(hf_hub_download(repo, "a.txt", revision=commit.pr_revision, endpoint=ctx.endpoint, token=ctx.token), encoding="utf-8") as f:
        eq(f.read(), "proposed", "file on the PR ref")
    with open(hf_hub_download(repo, "a.txt", endpoint=ctx.endpoint, token=ctx.token, force_download=True), encoding="utf-8") as f:
        eq(f.read(), "base", "main unchanged")
    refs = ctx.api.list_repo_refs(repo, include_pull_requests=True)
    eq([p.ref for p in refs.pull_requests], [commit.pr_revision], "pull request refs")


run("files", [folder_with_patterns_and_snapshot, commits_refs_branches_and_tags, pull_request_by_create_commit])
