"""Discussions and pull requests as huggingface_hub's community calls use them: create, comment,
rename, close and reopen, list with filters, edit and hide comments; pull requests opened empty or by
create_commit(create_pr=True), pushed to, merged, and a conflicting one refused.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from lib import eq, raises, run, status_of  # noqa: E402

from huggingface_hub import CommitOperationAdd, hf_hub_download  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError  # noqa: E402


def _repo(ctx):
    repo = ctx.repo_id("talk")
    ctx.api.create_repo(repo)
    ctx.api.upload_file(path_or_fileobj=b"base", path_in_repo="a.txt", repo_id=repo)
    return repo


def discussion_timeline(ctx):
    repo = _repo(ctx)
    d = ctx.api.create_discussion(repo, "A question", description="How do I use it?")
    eq((d.num, d.status, d.is_pull_request, d.author), (1, "open", False, ctx.user), "created")
    comment = ctx.api.comment_discussion(repo, d.num, "Like this.")
    eq(comment.content, "Like this.", "comment")
    eq(ctx.api.edit_discussion_comment(repo, d.num, comment.id, "Like that.").content, "Like that.", "edited")
    eq(ctx.api.hide_discussion_comment(repo, d.num, comment.id).hidden, True, "hidden")
    eq(ctx.api.rename_discussion(repo, d.num, "A better question").new_title, "A better question", "renamed")
    eq(ctx.api.change_discussion_status(repo, d.num, "closed", comment="Answered").new_status, "closed", "closed")
    details = ctx.api.get_discussion_details(repo, d.num)
    eq([e.type for e in details.events], ["comment", "comment", "title-change", "comment", "status-change"], "timeline")
    eq(details.title, "A better question", "title")
    eq([x.num for x in ctx.api.get_repo_discussions(repo, discussion_status="closed")], [1], "closed list")
    eq([x.num for x in ctx.api.get_repo_discussions(repo, discussion_status="open")], [], "open list")


def pull_request_pushed_and_merged(ctx):
    repo = _repo(ctx)
    pr = ctx.api.create_pull_request(repo, "Improve a.txt")
    eq((pr.status, pr.is_pull_request, pr.git_reference), ("draft", True, f"refs/pr/{pr.num}"), "draft PR")
    ctx.api.create_commit(repo, operations=[CommitOperationAdd("a.txt", b"better")], commit_message="better a",
                          revision=pr.git_reference)
    eq(ctx.api.get_discussion_details(repo, pr.num).status, "open", "open once pushed to")
    ctx.api.merge_pull_request(repo, pr.num, comment="Thanks")
    details = ctx.api.get_discussion_details(repo, pr.num)
    eq(details.status, "merged", "merged")
    if not details.merge_commit_oid:
        raise AssertionError("no merge commit")
    eq(ctx.api.list_repo_commits(repo)[0].commit_id, details.merge_commit_oid, "merge commit heads main")
    with open(hf_hub_download(repo, "a.txt", endpoint=ctx.endpoint, token=ctx.token), encoding="utf-8") as f:
        eq(f.read(), "better", "main after the merge")
    eq([x.num for x in ctx.api.get_repo_discussions(repo, discussion_type="pull_request")], [pr.num], "PR list")


def create_pr_commit_and_conflict(ctx):
    repo = _repo(ctx)
    commit = ctx.api.create_commit(repo, operations=[CommitOperationAdd("a.txt", b"proposal")],
                                   commit_message="Propose", create_pr=True)
    pr = ctx.api.get_discussion_details(repo, commit.pr_num)
    eq((pr.is_pull_request, pr.status, pr.title, pr.target_branch), (True, "open", "Propose", "refs/heads/main"), "PR from create_pr")
    ctx.api.upload_file(path_or_fileobj=b"meanwhile", path_in_repo="a.txt", repo_id=repo)
    eq(ctx.api.get_discussion_details(repo, commit.pr_num).conflicting_files, ["a.txt"], "conflicting files")
    error = raises(HfHubHTTPError, lambda: ctx.api.merge_pull_request(repo, commit.pr_num), "merge with a conflict")
    eq(status_of(error), 409, "conflict status")
    other, other_api = ctx.other()
    error = raises(HfHubHTTPError, lambda: other_api.merge_pull_request(repo, commit.pr_num), "merge by a stranger")
    eq(status_of(error), 403, "stranger merge status")
    eq(other_api.create_discussion(repo, "From a stranger").author, other, "strangers open discussions")


run("discussions", [discussion_timeline, pull_request_pushed_and_merged, create_pr_commit_and_conflict])
