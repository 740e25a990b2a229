"""The Hub's rules as huggingface_hub meets them: README metadata validated before a commit
(validate-yaml), a folder deleted by CommitOperationDelete without a trailing slash, the error texts
the client matches on (move onto an existing repo, an existing branch, deleting main, a tag on a
missing revision), and CommitScheduler pushing a folder on demand.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, raises, run  # noqa: E402

from huggingface_hub import CommitOperationAdd, CommitOperationDelete, CommitScheduler  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError, RevisionNotFoundError  # noqa: E402


def readme_metadata_is_validated(ctx):
    repo = ctx.repo_id("card")
    ctx.api.create_repo(repo)
    ctx.api.upload_file(path_or_fileobj=b"---\nlicense: mit\ntags:\n- demo\n---\n# Card\n", path_in_repo="README.md", repo_id=repo)
    eq(ctx.api.model_info(repo).card_data.license, "mit", "card data after a valid README")
    error = raises(ValueError, lambda: ctx.api.upload_file(path_or_fileobj=b"---\nlicense: [unclosed\n---\n", path_in_repo="README.md", repo_id=repo),
                   "a README whose metadata is not YAML")
    if "Invalid metadata in README.md" not in str(error):
        raise AssertionError(f"unexpected message: {error}")


def folder_deleted_without_trailing_slash(ctx):
    repo = ctx.repo_id("fold")
    ctx.api.create_repo(repo)
    ctx.api.create_commit(repo, operations=[CommitOperationAdd("dir/a.txt", b"a"), CommitOperationAdd("dir/b.txt", b"b"),
                                            CommitOperationAdd("keep.txt", b"k")], commit_message="add")
    ctx.api.create_commit(repo, operations=[CommitOperationDelete("dir")], commit_message="drop dir")
    eq(sorted(ctx.api.list_repo_files(repo)), [".gitattributes", "keep.txt"], "files after deleting the folder")


def error_texts_clients_match_on(ctx):
    a, b = ctx.repo_id("a"), ctx.repo_id("b")
    ctx.api.create_repo(a)
    ctx.api.create_repo(b)
    error = raises(HfHubHTTPError, lambda: ctx.api.move_repo(a, b), "move onto an existing repo")
    if f"A model repository called {b} already exists" not in str(error):
        raise AssertionError(f"move: {error}")
    ctx.api.create_branch(a, branch="dev")
    error = raises(HfHubHTTPError, lambda: ctx.api.create_branch(a, branch="dev"), "an existing branch")
    if "Reference refs/heads/dev already exists" not in str(error):
        raise AssertionError(f"branch: {error}")
    error = raises(HfHubHTTPError, lambda: ctx.api.delete_branch(a, branch="main"), "deleting main")
    if "Cannot delete refs/heads/main" not in str(error):
        raise AssertionError(f"delete main: {error}")
    raises(RevisionNotFoundError, lambda: ctx.api.create_tag(a, tag="v1", revision="no-such-branch"), "a tag on a missing revision")


def commit_scheduler_pushes_a_folder(ctx):
    repo = ctx.repo_id("sched")
    folder = tempfile.mkdtemp(dir=os.environ["HF_HOME"])
    with open(os.path.join(folder, "log.jsonl"), "w", encoding="utf-8") as f:
        f.write('{"step": 1}\n')
    scheduler = CommitScheduler(repo_id=repo, repo_type="dataset", folder_path=folder, every=60, private=True,
                                hf_api=ctx.api)
    try:
        scheduler.trigger().result(timeout=60)
    finally:
        scheduler.stop()
    eq(ctx.api.repo_info(repo, repo_type="dataset").private, True, "the scheduler's dataset is private")
    eq("log.jsonl" in ctx.api.list_repo_files(repo, repo_type="dataset"), True, "the pushed file")


run("hub_rules", [readme_metadata_is_validated, folder_deleted_without_trailing_slash, error_texts_clients_match_on,
                  commit_scheduler_pushes_a_folder])
