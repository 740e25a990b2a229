using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HfHub.LocalHub.Tests;

public sealed partial class TreeTests(SmallPagesHubFixture hub) : IClassFixture<SmallPagesHubFixture>
{
    [GeneratedRegex("<(https?://[^>]+)>;\\s+rel=\"next\"")]
    private static partial Regex NextLink();

    private static async Task<(List<JsonElement> Items, int Pages)> AllPagesAsync(HttpClient client, string url)
    {
        var items = new List<JsonElement>();
        var pages = 0;
        string? next = url;
        while (next is not null)
        {
            var response = await client.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            items.AddRange((await response.JsonAsync()).EnumerateArray());
            pages++;
            next = response.Headers.TryGetValues("Link", out var links) && NextLink().Match(links.First()) is { Success: true } m ? m.Groups[1].Value : null;
        }
        return (items, pages);
    }

    [Fact]
    public async Task Tree_lists_folders_and_files_recursively_across_pages()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("tree");
        await client.CommitOkAsync(repo, "files", HubFiles.File("a.txt", "a"), HubFiles.File("b.txt", "b"), HubFiles.File("dir/c.txt", "c"),
            HubFiles.File("dir/sub/d.txt", "d"), HubFiles.File("e.txt", "e"));

        var (top, topPages) = await AllPagesAsync(client, $"/api/models/{repo}/tree/main?recursive=false&expand=false");
        Assert.Equal([".gitattributes", "a.txt", "b.txt", "dir", "e.txt"], top.Select(e => e.GetProperty("path").GetString()).ToList());
        Assert.Equal(2, topPages); // page size 3 on this hub
        var dir = top.Single(e => e.GetProperty("path").GetString() == "dir");
        Assert.Equal("directory", dir.GetProperty("type").GetString());
        Assert.Matches("^[0-9a-f]{40}$", dir.GetProperty("oid").GetString());

        var (all, _) = await AllPagesAsync(client, $"/api/models/{repo}/tree/main?recursive=true");
        Assert.Equal(8, all.Count);
        var (inDir, _) = await AllPagesAsync(client, $"/api/models/{repo}/tree/main/dir");
        Assert.Equal(["dir/c.txt", "dir/sub"], inDir.Select(e => e.GetProperty("path").GetString()).ToList());

        var missing = await client.GetAsync($"/api/models/{repo}/tree/main/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("EntryNotFound", missing.ErrorCode());
    }

    [Fact]
    public async Task Tree_ids_are_the_ones_git_computes()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("git-ids");
        await client.CommitOkAsync(repo, "files", HubFiles.File("dir/hello.txt", "hello\n"));
        var (items, _) = await AllPagesAsync(client, $"/api/models/{repo}/tree/main");
        // `git mktree` of "100644 blob ce01362…\thello.txt" gives aaa96ce…
        Assert.Equal("aaa96ced2d9a1c8e72c56b253a0e2fe78393feb7", items.Single(e => e.GetProperty("path").GetString() == "dir").GetProperty("oid").GetString());
    }

    [Fact]
    public async Task Expand_adds_last_commit_and_paths_info_accepts_json_and_form()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("expand");
        var first = await client.CommitOkAsync(repo, "first", HubFiles.File("a.txt", "a"), HubFiles.File("dir/b.txt", "b"));
        var second = await client.CommitOkAsync(repo, "second", HubFiles.File("c.txt", "c"));

        var (items, pages) = await AllPagesAsync(client, $"/api/models/{repo}/tree/main?recursive=true&expand=true");
        Assert.Equal(3, pages); // 5 entries, 2 per page with expand on this hub
        var byPath = items.ToDictionary(e => e.GetProperty("path").GetString()!);
        Assert.Equal(first, byPath["a.txt"].GetProperty("lastCommit").GetProperty("id").GetString());
        Assert.Equal("first", byPath["dir"].GetProperty("lastCommit").GetProperty("title").GetString());
        Assert.Equal(second, byPath["c.txt"].GetProperty("lastCommit").GetProperty("id").GetString());
        var security = byPath["a.txt"].GetProperty("securityFileStatus");
        Assert.Equal("safe", security.GetProperty("status").GetString());
        Assert.False(security.GetProperty("avScan").GetProperty("virusFound").GetBoolean()); // the Python client indexes both scans
        Assert.Equal(JsonValueKind.Null, security.GetProperty("pickleImportScan").ValueKind);

        var json = await client.PostAsJsonAsync($"/api/models/{repo}/paths-info/main", new { paths = new[] { "a.txt", "dir", "missing.txt" }, expand = true });
        var info = (await json.JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(["a.txt", "dir"], info.Select(e => e.GetProperty("path").GetString()).ToList());
        Assert.Equal(first, info[0].GetProperty("lastCommit").GetProperty("id").GetString());

        var form = await client.PostAsync($"/api/models/{repo}/paths-info/{Uri.EscapeDataString("main")}",
            new FormUrlEncodedContent([new("paths", "c.txt"), new("paths", "dir/b.txt"), new("expand", "false")]));
        var formItems = (await form.JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(2, formItems.Count);
        Assert.False(formItems[0].TryGetProperty("lastCommit", out _));
        Assert.Equal(HubFiles.GitBlobId("c"u8.ToArray()), formItems[0].GetProperty("oid").GetString());
    }

    [Fact]
    public async Task Commits_are_newest_first_with_total_count_and_pages()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("history");
        var ids = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            ids.Add(await client.CommitOkAsync(repo, $"commit {i}", HubFiles.File("n.txt", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        var count = await client.GetAsync($"/api/models/{repo}/commits/main?limit=1");
        Assert.Equal("5", count.Header("X-Total-Count"));
        var (commits, pages) = await AllPagesAsync(client, $"/api/models/{repo}/commits/main?limit=2");
        Assert.Equal(3, pages);
        Assert.Equal(5, commits.Count);
        Assert.Equal(ids.AsEnumerable().Reverse().ToList(), commits.Take(4).Select(c => c.GetProperty("id").GetString()!).ToList());
        Assert.Equal("commit 4", commits[0].GetProperty("title").GetString());
        Assert.Equal(user, commits[0].GetProperty("authors")[0].GetProperty("user").GetString());
        Assert.Equal("initial commit", commits[^1].GetProperty("title").GetString());
        var older = await (await client.GetAsync($"/api/models/{repo}/commits/{ids[1]}")).JsonAsync();
        Assert.Equal(3, older.GetArrayLength());
    }

    [Fact]
    public async Task Branches_tags_and_refs()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("branches");
        var first = await client.CommitOkAsync(repo, "first", HubFiles.File("a.txt", "1"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/models/{repo}/branch/dev", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync($"/api/models/{repo}/branch/dev", new { })).StatusCode);
        var second = await client.CommitOkAsync(repo, "second", HubFiles.File("a.txt", "2"));
        Assert.Equal("1", await client.GetStringAsync($"/{repo}/resolve/dev/a.txt"));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/models/{repo}/branch/old", new { startingPoint = first })).StatusCode);
        Assert.Equal("RevisionNotFound", (await client.PostAsJsonAsync($"/api/models/{repo}/branch/x", new { startingPoint = "nope" })).ErrorCode());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/models/{repo}/tag/main", new { tag = "v1", message = "first release" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync($"/api/models/{repo}/tag/main", new { tag = "v1" })).StatusCode);
        Assert.Equal("2", await client.GetStringAsync($"/{repo}/resolve/v1/a.txt"));

        var refs = await (await client.GetAsync($"/api/models/{repo}/refs")).JsonAsync();
        var branches = refs.GetProperty("branches").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!, b => b.GetProperty("targetCommit").GetString());
        Assert.Equal(second, branches["main"]);
        Assert.Equal(first, branches["dev"]);
        Assert.Equal("refs/tags/v1", refs.GetProperty("tags")[0].GetProperty("ref").GetString());
        Assert.False(refs.TryGetProperty("pullRequests", out _));

        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/models/{repo}/branch/dev")).StatusCode);
        Assert.Equal("RevisionNotFound", (await client.DeleteAsync($"/api/models/{repo}/branch/dev")).ErrorCode());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/api/models/{repo}/branch/main")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/models/{repo}/tag/v1")).StatusCode);
        Assert.Equal("RevisionNotFound", (await client.GetAsync($"/{repo}/resolve/v1/a.txt")).ErrorCode());
    }

    [Fact]
    public async Task Super_squash_leaves_one_commit_with_the_same_files()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("squash");
        for (var i = 0; i < 3; i++)
        {
            await client.CommitOkAsync(repo, $"c{i}", HubFiles.File($"f{i}.txt", "x"));
        }
        var response = await client.PostAsJsonAsync($"/api/models/{repo}/super-squash/main", new { message = "Squashed" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var commits = await (await client.GetAsync($"/api/models/{repo}/commits/main")).JsonAsync();
        Assert.Equal(1, commits.GetArrayLength());
        Assert.Equal("Squashed", commits[0].GetProperty("title").GetString());
        Assert.Equal("x", await client.GetStringAsync($"/{repo}/resolve/main/f2.txt"));
        Assert.Equal("RevisionNotFound", (await client.PostAsJsonAsync($"/api/models/{repo}/super-squash/nope", new { })).ErrorCode());
    }
}
