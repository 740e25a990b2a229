using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace HfHub.LocalHub.Tests;

public sealed class CommitAndResolveTests(SmallPagesHubFixture hub) : IClassFixture<SmallPagesHubFixture>
{
    [Fact]
    public async Task A_regular_file_commits_and_resolves_with_its_git_blob_id()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("regular");
        var response = await client.CommitAsync(repo, "Add hello", [HubFiles.File("hello.txt", "hello\n")]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var commit = body.GetProperty("commitOid").GetString()!;
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal($"{hub.EndpointText}/{repo}/commit/{commit}", body.GetProperty("commitUrl").GetString());
        Assert.Equal("", body.GetProperty("hookOutput").GetString());
        Assert.Matches("^[0-9a-f]{40}$", commit);

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/{repo}/resolve/main/hello.txt"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        // "hello\n" is git's well-known blob ce01362…
        Assert.Equal("\"ce013625030ba8dba906f756967f9e9ca394464a\"", head.Headers.ETag!.ToString());
        Assert.Equal(commit, head.Header("X-Repo-Commit"));
        Assert.Equal(6, head.Content.Headers.ContentLength);
        Assert.Equal("bytes", head.Header("Accept-Ranges"));
        Assert.Equal("hello\n", await client.GetStringAsync($"/{repo}/resolve/main/hello.txt"));
        Assert.Equal("hello\n", await client.GetStringAsync($"/{repo}/resolve/{commit}/hello.txt"));
        Assert.Equal("hello\n", await client.GetStringAsync($"/{repo}/raw/main/hello.txt"));
        _ = user;
    }

    [Fact]
    public async Task Resolve_errors_carry_the_hub_error_codes()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("errors");
        var missing = await client.GetAsync($"/{repo}/resolve/main/nope.txt");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("EntryNotFound", missing.ErrorCode());
        Assert.Matches("^[0-9a-f]{40}$", missing.Header("X-Repo-Commit"));
        var badRevision = await client.GetAsync($"/{repo}/resolve/nobranch/a.txt");
        Assert.Equal("RevisionNotFound", badRevision.ErrorCode());
        var badRepo = await client.GetAsync($"/{repo}-missing/resolve/main/a.txt");
        Assert.Equal("RepoNotFound", badRepo.ErrorCode());
    }

    [Fact]
    public async Task Range_requests_answer_206_with_content_range_and_416_when_unsatisfiable()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("ranges");
        await client.CommitOkAsync(repo, "add", HubFiles.File("digits.txt", "0123456789"));
        var first = new HttpRequestMessage(HttpMethod.Get, $"/{repo}/resolve/main/digits.txt");
        first.Headers.Range = new RangeHeaderValue(0, 0);
        var response = await client.SendAsync(first);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 0-0/10", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal("0", await response.Content.ReadAsStringAsync());
        var tail = new HttpRequestMessage(HttpMethod.Get, $"/{repo}/resolve/main/digits.txt");
        tail.Headers.Range = new RangeHeaderValue(4, null);
        Assert.Equal("456789", await (await client.SendAsync(tail)).Content.ReadAsStringAsync());
        var beyond = new HttpRequestMessage(HttpMethod.Get, $"/{repo}/resolve/main/digits.txt");
        beyond.Headers.Range = new RangeHeaderValue(50, 60);
        var unsatisfiable = await client.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */10", unsatisfiable.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task A_stale_parent_commit_is_412_and_a_current_one_commits()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("parents");
        var first = await client.CommitOkAsync(repo, "one", HubFiles.File("a.txt", "1"));
        var second = await client.CommitOkAsync(repo, "two", HubFiles.File("a.txt", "2"));
        var stale = await client.CommitAsync(repo, "three", [HubFiles.File("a.txt", "3")], parentCommit: first);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Contains("The branch was updated since you opened this page", (await stale.JsonAsync()).GetProperty("error").GetString());
        Assert.Equal("2", await client.GetStringAsync($"/{repo}/resolve/main/a.txt"));
        var current = await client.CommitAsync(repo, "three", [HubFiles.File("a.txt", "3")], parentCommit: second[..7]);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal("3", await client.GetStringAsync($"/{repo}/resolve/main/a.txt"));
    }

    [Fact]
    public async Task A_commit_that_changes_nothing_records_no_commit()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("noop");
        var head = await client.CommitOkAsync(repo, "one", HubFiles.File("a.txt", "same"));
        var again = await client.CommitOkAsync(repo, "again", HubFiles.File("a.txt", "same"));
        Assert.Equal(head, again);
        var count = await client.GetAsync($"/api/models/{repo}/commits/main?limit=1");
        Assert.Equal("2", count.Header("X-Total-Count"));
    }

    [Fact]
    public async Task Deletes_of_files_and_folders_and_their_errors()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("deletes");
        await client.CommitOkAsync(repo, "add", HubFiles.File("keep.txt", "k"), HubFiles.File("old.txt", "o"),
            HubFiles.File("tmp/a.txt", "a"), HubFiles.File("tmp/sub/b.txt", "b"));
        await client.CommitOkAsync(repo, "delete", HubFiles.DeletedFile("old.txt"), HubFiles.DeletedFolder("tmp/"));
        var tree = await (await client.GetAsync($"/api/models/{repo}/tree/main?recursive=true")).JsonAsync();
        Assert.Equal([".gitattributes", "keep.txt"], tree.EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList());
        var missing = await client.CommitAsync(repo, "delete again", [HubFiles.DeletedFile("old.txt")]);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("A file with this name doesn't exist", (await missing.JsonAsync()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("../escape.txt", HttpStatusCode.UnprocessableEntity)]
    [InlineData("a/../../b.txt", HttpStatusCode.UnprocessableEntity)]
    [InlineData("a/./b.txt", HttpStatusCode.UnprocessableEntity)]
    [InlineData(".git/config", HttpStatusCode.BadRequest)]
    [InlineData("a//b.txt", HttpStatusCode.BadRequest)]
    public async Task Paths_that_could_escape_a_checkout_are_refused(string path, HttpStatusCode expected)
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("paths");
        var response = await client.CommitAsync(repo, "bad", [HubFiles.File(path, "x")]);
        Assert.Equal(expected, response.StatusCode);
        var preupload = await client.PostAsJsonAsync($"/api/models/{repo}/preupload/main", new { files = new[] { new { path, size = 1, sample = "eA==" } } });
        Assert.Equal(expected, preupload.StatusCode);
    }

    [Fact]
    public async Task A_backslash_is_an_ordinary_character_of_a_path()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("backslash");
        await client.CommitOkAsync(repo, "odd name", HubFiles.File("folder/..\\..\\file", "odd"));
        var tree = await (await client.GetAsync($"/api/models/{repo}/tree/main/folder")).JsonAsync();
        Assert.Equal(["folder/..\\..\\file"], tree.EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList());
        Assert.Equal("odd", await client.GetStringAsync($"/{repo}/resolve/main/folder/{Uri.EscapeDataString("..\\..\\file")}"));
    }

    [Fact]
    public async Task A_folder_named_as_a_deleted_file_is_deleted_whole()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("delete-dir");
        await client.CommitOkAsync(repo, "files", HubFiles.File("dir/a.txt", "a"), HubFiles.File("dir/sub/b.txt", "b"), HubFiles.File("dirt.txt", "c"));
        await client.CommitOkAsync(repo, "drop dir", HubFiles.DeletedFile("dir"));
        var tree = await (await client.GetAsync($"/api/models/{repo}/tree/main?recursive=true")).JsonAsync();
        Assert.Equal([".gitattributes", "dirt.txt"], tree.EnumerateArray().Select(e => e.GetProperty("path").GetString()).ToList());
    }

    [Fact]
    public async Task Malformed_commits_are_400()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("malformed");
        var noHeader = await client.PostAsync($"/api/models/{repo}/commit/main",
            new StringContent("{\"key\":\"file\",\"value\":{\"path\":\"a\",\"content\":\"YQ==\",\"encoding\":\"base64\"}}", Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.BadRequest, noHeader.StatusCode);
        var emptySummary = await client.CommitAsync(repo, "", [HubFiles.File("a.txt", "a")]);
        Assert.Equal(HttpStatusCode.BadRequest, emptySummary.StatusCode);
        var unknownLfs = await client.CommitAsync(repo, "lfs", [HubFiles.LfsFile("w.bin", HubFiles.RandomBytes(100))]);
        Assert.Equal(HttpStatusCode.BadRequest, unknownLfs.StatusCode);
        var tooBig = await client.CommitAsync(repo, "big", [HubFiles.File("big.txt", new byte[10 * 1024 * 1024])]);
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        var toMissingBranch = await client.CommitAsync(repo, "x", [HubFiles.File("a.txt", "a")], revision: "nope");
        Assert.Equal("RevisionNotFound", toMissingBranch.ErrorCode());
    }

    [Fact]
    public async Task Python_style_trailing_newlines_and_utf8_content_are_accepted()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("python-style");
        var body = "{\"key\":\"header\",\"value\":{\"summary\":\"s\",\"description\":\"\"}}\n"
            + "{\"key\":\"file\",\"value\":{\"path\":\"u.txt\",\"content\":\"héllo\",\"encoding\":\"utf-8\"}}\n";
        var response = await client.PostAsync($"/api/models/{repo}/commit/main", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("héllo", await client.GetStringAsync($"/{repo}/resolve/main/u.txt"));
    }

    [Fact]
    public async Task Create_pr_commits_to_a_new_pull_request_ref()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("prs");
        var response = await client.CommitAsync(repo, "proposal", [HubFiles.File("p.txt", "p")], createPr: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{hub.EndpointText}/{repo}/discussions/1", (await response.JsonAsync()).GetProperty("pullRequestUrl").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/{repo}/resolve/main/p.txt")).StatusCode);
        Assert.Equal("p", await client.GetStringAsync($"/{repo}/resolve/refs%2Fpr%2F1/p.txt"));
        var more = await client.CommitAsync(repo, "more", [HubFiles.File("q.txt", "q")], revision: "refs/pr/1");
        Assert.Equal(HttpStatusCode.OK, more.StatusCode);
        Assert.Equal("q", await client.GetStringAsync($"/{repo}/resolve/refs%2Fpr%2F1/q.txt"));
        var refs = await (await client.GetAsync($"/api/models/{repo}/refs?include_prs=1")).JsonAsync();
        Assert.Equal("refs/pr/1", refs.GetProperty("pullRequests")[0].GetProperty("ref").GetString());
    }

    [Fact]
    public async Task Preupload_decides_lfs_by_gitattributes_size_and_binary_content()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("preupload");
        await client.CommitOkAsync(repo, "add", HubFiles.File("notes.txt", "n"));
        var binarySample = Convert.ToBase64String(new byte[] { 1, 0, 2 });
        var textSample = Convert.ToBase64String("text"u8.ToArray());
        var response = await client.PostAsJsonAsync($"/api/models/{repo}/preupload/main", new
        {
            files = new object[]
            {
                new { path = "model.safetensors", sample = textSample, size = 10 },
                new { path = "notes.txt", sample = textSample, size = 4 },
                new { path = "huge.txt", sample = textSample, size = 10L * 1024 * 1024 },
                new { path = "blob.dat", sample = binarySample, size = 2L * 1024 * 1024 },
                new { path = "small.dat", sample = binarySample, size = 100 },
                new { path = "empty.bin", sample = "", size = 0 },
                new { path = "logs/x.log", sample = textSample, size = 4 },
            },
            gitIgnore = "logs/\n",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var files = body.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!);
        Assert.Equal("lfs", files["model.safetensors"].GetProperty("uploadMode").GetString());
        Assert.Equal("regular", files["notes.txt"].GetProperty("uploadMode").GetString());
        Assert.Equal(HubFiles.GitBlobId("n"u8.ToArray()), files["notes.txt"].GetProperty("oid").GetString());
        Assert.Equal("lfs", files["huge.txt"].GetProperty("uploadMode").GetString());
        Assert.Equal("lfs", files["blob.dat"].GetProperty("uploadMode").GetString());
        Assert.Equal("regular", files["small.dat"].GetProperty("uploadMode").GetString());
        Assert.Equal("regular", files["empty.bin"].GetProperty("uploadMode").GetString());
        Assert.True(files["logs/x.log"].GetProperty("shouldIgnore").GetBoolean());
        Assert.False(files["notes.txt"].GetProperty("shouldIgnore").GetBoolean());
        Assert.Matches("^[0-9a-f]{40}$", body.GetProperty("commitOid").GetString());
    }

    [Fact]
    public async Task Writes_need_a_write_token_and_anonymous_writes_are_401()
    {
        var (user, token) = await hub.CreateUserAsync();
        var readToken = await hub.CreateTokenAsync(user, "read");
        using var owner = hub.RawClient(token);
        var repo = await owner.CreateRepoAsync("guarded");
        using var reader = hub.RawClient(readToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.CommitAsync(repo, "x", [HubFiles.File("a.txt", "a")])).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync($"/api/models/{repo}/branch/dev", new { })).StatusCode);
        using var anonymous = hub.RawClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.CommitAsync(repo, "x", [HubFiles.File("a.txt", "a")])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/{repo}/resolve/main/.gitattributes")).StatusCode);
    }

    [Fact]
    public async Task Concurrent_commits_are_serialised_and_a_shared_parent_lets_only_one_win()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("concurrent");
        var head = await client.CommitOkAsync(repo, "base", HubFiles.File("base.txt", "b"));
        var free = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => client.CommitAsync(repo, $"c{i}", [HubFiles.File($"f{i}.txt", $"{i}")])));
        Assert.All(free, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var info = await (await client.GetAsync($"/api/models/{repo}")).JsonAsync();
        Assert.Equal(8, info.GetProperty("siblings").GetArrayLength()); // .gitattributes, base.txt and the six files: no commit was lost
        Assert.Equal("8", (await client.GetAsync($"/api/models/{repo}/commits/main?limit=1")).Header("X-Total-Count"));

        head = (await (await client.GetAsync($"/api/models/{repo}")).JsonAsync()).GetProperty("sha").GetString()!;
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => client.CommitAsync(repo, $"r{i}", [HubFiles.File("race.txt", $"{i}")], parentCommit: head)));
        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(3, racing.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
    }
}
