using System.Net;
using System.Net.Http.Json;
using HfCtl.Testing;
using HfHub.LocalHub.Faults;

namespace HfHub.LocalHub.Tests;

public sealed class FaultTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private HttpClient Admin()
    {
        var admin = hub.RawClient();
        admin.DefaultRequestHeaders.Add("X-LocalHub-Admin", hub.Hub.AdminSecret);
        return admin;
    }

    [Fact]
    public void The_same_seed_gives_the_same_faults_and_another_seed_differs()
    {
        static List<FaultKind?> Draw(int seed)
        {
            var injector = new FaultInjector(FaultOptions.Parse($"rate=0.3,kinds=500+429+drop+truncate,seed={seed}"));
            return Enumerable.Range(0, 500).Select(_ => injector.Next()).ToList();
        }
        var first = Draw(42);
        Assert.Equal(first, Draw(42));
        Assert.NotEqual(first, Draw(43));
        var share = first.Count(f => f is not null) / 500.0;
        Assert.InRange(share, 0.2, 0.4);
        Assert.Equal(4, first.Where(f => f is not null).Distinct().Count());
    }

    [Fact]
    public void The_spec_parser_reads_every_setting_and_refuses_nonsense()
    {
        var options = FaultOptions.Parse("rate=0.1,kinds=500+429+drop+truncate+slow+late,seed=7,delay=250,retry-after=3");
        Assert.Equal(0.1, options.Rate);
        Assert.Equal(6, options.Kinds.Count);
        Assert.Equal(7, options.Seed);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.SlowDelay);
        Assert.Equal(3, options.RetryAfterSeconds);
        Assert.False(FaultOptions.Parse("off").Enabled);
        var targeted = FaultOptions.Parse("rate=1,methods=get+put,paths=/lfs-storage+/api/models");
        Assert.True(targeted.Applies("GET", "/api/models/a/b"));
        Assert.False(targeted.Applies("POST", "/api/models/a/b/commit/main"));
        Assert.False(targeted.Applies("GET", "/a/b/resolve/main/x"));
        Assert.Throws<FormatException>(() => FaultOptions.Parse("rate=2"));
        Assert.Throws<FormatException>(() => FaultOptions.Parse("kinds=boom"));
        Assert.Throws<FormatException>(() => FaultOptions.Parse("colour=blue"));
    }

    [Fact]
    public async Task Faults_switch_at_runtime_strike_hub_routes_and_spare_admin_routes()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var admin = Admin();
        using var client = hub.RawClient(token);
        try
        {
            var set = await admin.PostAsJsonAsync("/_localhub/faults", new { spec = "rate=1,kinds=429,seed=1,retry-after=2" });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var limited = await client.GetAsync("/api/whoami-v2");
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("2", limited.Header("Retry-After"));
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/_localhub/health")).StatusCode);

            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 1.0, kinds = new[] { "500" }, seed = 1 });
            Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/api/whoami-v2")).StatusCode);

            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 1.0, kinds = new[] { "500" }, methods = new[] { "POST" } });
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/whoami-v2")).StatusCode);

            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 1.0, kinds = new[] { "drop" } });
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/api/whoami-v2"));

            var state = await (await admin.GetAsync("/_localhub/faults")).JsonAsync();
            Assert.Equal(1, state.GetProperty("injected").GetProperty("drop").GetInt32());
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/_localhub/faults", new { rate = 0 })).StatusCode);
        }
        finally
        {
            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 0 });
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/whoami-v2")).StatusCode);
    }

    [Fact]
    public async Task A_truncated_download_declares_the_full_length_and_breaks_off()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("trunc"));
        await client.CommitOkAsync(repo, "add", HubFiles.File("big.txt", new string('x', 200_000)));
        using var admin = Admin();
        try
        {
            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 1.0, kinds = new[] { "truncate" } });
            var error = await Record.ExceptionAsync(() => client.GetByteArrayAsync($"/{repo}/resolve/main/big.txt"));
            Assert.NotNull(error);
        }
        finally
        {
            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 0 });
        }
        Assert.Equal(200_000, (await client.GetByteArrayAsync($"/{repo}/resolve/main/big.txt")).Length);
    }

    [Fact]
    public async Task A_late_answer_comes_after_the_change_has_landed()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("late"));
        var before = await client.CommitOkAsync(repo, "first", HubFiles.File("a.txt", "one"));
        using var admin = Admin();
        try
        {
            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 1.0, kinds = new[] { "late" }, delayMs = 3000, methods = new[] { "POST" }, paths = new[] { $"/api/models/{repo}/commit/" } });
            var timer = System.Diagnostics.Stopwatch.StartNew();
            var commit = client.CommitOkAsync(repo, "second", HubFiles.File("a.txt", "two"));
            var head = before;
            while (head == before && !commit.IsCompleted)
            {
                await Task.Delay(20);
                head = (await (await client.GetAsync($"/api/models/{repo}/revision/main")).JsonAsync()).GetProperty("sha").GetString();
            }
            // The commit is on main while its answer is still held; the answer then arrives whole.
            Assert.NotEqual(before, head);
            Assert.False(commit.IsCompleted);
            Assert.Equal(head, await commit);
            Assert.True(timer.ElapsedMilliseconds >= 2900, $"the answer came after {timer.ElapsedMilliseconds} ms");
        }
        finally
        {
            await admin.PostAsJsonAsync("/_localhub/faults", new { rate = 0 });
        }
    }

    [Fact]
    public async Task Corrupting_a_blob_changes_its_bytes_but_not_its_size()
    {
        var (_, token) = await hub.CreateUserAsync();
        using var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync(LocalHubFixture.UniqueName("corrupt"));
        var content = HubFiles.RandomBytes(4096, seed: 11);
        await client.UploadLfsAsync(repo, content);
        await client.CommitOkAsync(repo, "add", HubFiles.LfsFile("w.bin", content));
        using var admin = Admin();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/_localhub/blobs/{HubFiles.Sha256(content)}/corrupt", null)).StatusCode);
        var served = await client.GetByteArrayAsync($"/{repo}/resolve/main/w.bin");
        Assert.Equal(content.Length, served.Length);
        Assert.NotEqual(HubFiles.Sha256(content), HubFiles.Sha256(served));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/_localhub/blobs/{new string('0', 64)}/corrupt", null)).StatusCode);
    }
}
