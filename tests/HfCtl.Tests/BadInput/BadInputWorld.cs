using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HfCtl.Testing;
using HfCtl.Tests.Api;
using HfHub;
using HfHub.Auth;
using HfHub.LocalHub;
using HfHub.LocalHub.Spaces;
using HfHub.Repos;

namespace HfCtl.Tests.BadInput;

/// <summary>
/// What the bad-input matrix runs against: one local hub with a user, its write, read and revoked
/// tokens, a model, a Space (with a secret and a variable) and a persistence dataset; local folders
/// to upload (some with symbolic links pointing outside them); and a loopback server that answers
/// every request with an HTML 502, like a broken gateway. <see cref="SnapshotAsync"/> records
/// everything a bad invocation must leave alone.
/// </summary>
public sealed class BadInputWorld : IAsyncLifetime
{
    private readonly FastSpacesHub _hub = new();
    private RecordingServer? _html;

    public string User { get; private set; } = "";
    public string WriteToken { get; private set; } = "";
    public string ReadToken { get; private set; } = "";
    public string RevokedToken { get; private set; } = "";
    /// <summary>Well-formed, but never issued by this hub.</summary>
    public string UnknownToken { get; } = "hf_" + string.Concat(Enumerable.Range(0, 34).Select(_ => (char)('a' + RandomNumberGenerator.GetInt32(26))));
    public string SecretValue { get; } = "matrix-secret-" + Guid.NewGuid().ToString("N");
    public string Root { get; } = Directory.CreateTempSubdirectory("hfctl-badinput-").FullName;
    public string Work => Path.Combine(Root, "work");
    public string Outside => Path.Combine(Root, "outside");
    public string HubEndpoint => _hub.EndpointText;
    public string HtmlEndpoint => _html?.Origin ?? throw new InvalidOperationException("not started");
    public string Model => $"{User}/matrix-model";
    public string Space => $"{User}/matrix-space";
    public string Dataset => $"{User}/matrix-data";
    public string Bucket => $"{User}/matrix-bucket";

    /// <summary>A second user, with a public bucket the matrix user may read but not write, and a private model it may not read.</summary>
    public string OtherUser { get; private set; } = "";
    public string OtherBucket => $"{OtherUser}/matrix-public";
    public string OtherRepo => $"{OtherUser}/matrix-private";

    public async Task InitializeAsync()
    {
        await _hub.InitializeAsync();
        (User, WriteToken) = await _hub.CreateUserAsync("write");
        ReadToken = await _hub.CreateTokenAsync(User, "read", "matrix-read");
        RevokedToken = await _hub.CreateTokenAsync(User, "write", "matrix-revoked");
        await _hub.RevokeAsync(RevokedToken);
        SecretCanary.Register(UnknownToken, "the matrix's never-issued token");
        SecretCanary.Register(SecretValue, "the matrix Space's secret value");
        _html = new RecordingServer((_, _) => new ScriptedResponse(502,
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
            "text/html", new Dictionary<string, string> { ["Retry-After"] = "0" }));

        Write("work/app/Dockerfile", SpacesHubFixture.GoodDockerfile);
        Write("work/app/app.py", "print('hello')\n");
        Write("work/app/a.txt", "alpha\n");
        Write("work/app/sub/b.txt", "beta\n");
        Write("work/file.txt", "a single file\n");
        // A file that says it is SQLite but is not one: the header, then a page size of 0xFFFF.
        File.WriteAllBytes(Path.Combine(Work, "damaged.db"), [.. "SQLite format 3\0"u8, .. Enumerable.Repeat((byte)0xFF, 4080)]);
        Write("outside/secret.txt", "content that lives outside every folder hfctl is given\n");
        Write("work/with-link/ok.txt", "fine\n");
        File.CreateSymbolicLink(Path.Combine(Work, "with-link", "escape.txt"), "../../outside/secret.txt");
        Write("work/with-dir-link/ok.txt", "fine\n");
        Directory.CreateSymbolicLink(Path.Combine(Work, "with-dir-link", "out"), "../../outside");
        Directory.CreateDirectory(Path.Combine(Work, "download-target"));
        Directory.CreateSymbolicLink(Path.Combine(Work, "download-target", "sub"), "../../outside");

        using var cli = Runner();
        await Setup(cli, "upload", Model, Path.Combine(Work, "app"));
        await Setup(cli, "spaces", "create", Space, "--sdk", "docker");
        cli.Stdin = SecretValue;
        await Setup(cli, "spaces", "secrets", Space, "--set_key", "MATRIX_SECRET", "--set_value", "-");
        cli.Stdin = "";
        await Setup(cli, "spaces", "variables", "add", Space, "-e", "MATRIX_VAR=1");
        await Setup(cli, "persist", "save", Path.Combine(Work, "file.txt"), "db/state.txt", "-d", Dataset);
        await Setup(cli, "buckets", "create", Bucket);
        await Setup(cli, "spaces", "volumes", "set", Space, "-v", $"hf://buckets/{User}/matrix-bucket:/data");
        await Setup(cli, "buckets", "cp", Path.Combine(Work, "file.txt"), $"hf://buckets/{Bucket}/state.txt");
        string otherToken;
        (OtherUser, otherToken) = await _hub.CreateUserAsync("write");
        using var other = new HubClient(new HubClientOptions { Endpoint = new Uri(HubEndpoint), Token = HfToken.FromValue(otherToken) });
        await other.Buckets.CreateAsync(HfHub.Buckets.BucketId.Parse(OtherBucket), new HfHub.Buckets.CreateBucketOptions { Private = false });
        await other.Buckets.UploadFileAsync(HfHub.Buckets.BucketId.Parse(OtherBucket), Path.Combine(Work, "file.txt"), "file.txt");
        await other.Repos.CreateAsync(RepoId.Parse(OtherRepo), new CreateRepoOptions { Private = true });
        await other.Files.UploadFileAsync(RepoId.Parse(OtherRepo), Path.Combine(Work, "file.txt"), "f.txt");
    }

    public async Task DisposeAsync()
    {
        _html?.Dispose();
        await _hub.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A CLI runner pointed at the hub with the write token.</summary>
    public CliRunner Runner()
    {
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = HubEndpoint;
        cli.Variables["HF_TOKEN"] = WriteToken;
        return cli;
    }

    public string TokenFor(string kind) => kind switch
    {
        "write" => WriteToken,
        "read" => ReadToken,
        "revoked" => RevokedToken,
        "unknown" => UnknownToken,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Replaces the world's placeholders in an argument template.</summary>
    public string Fill(string text, string token) => text
        .Replace("{user}", User, StringComparison.Ordinal)
        .Replace("{model}", Model, StringComparison.Ordinal)
        .Replace("{space}", Space, StringComparison.Ordinal)
        .Replace("{dataset}", Dataset, StringComparison.Ordinal)
        .Replace("{bucket}", Bucket, StringComparison.Ordinal)
        .Replace("{otherbucket}", OtherBucket, StringComparison.Ordinal)
        .Replace("{otherrepo}", OtherRepo, StringComparison.Ordinal)
        .Replace("{work}", Work, StringComparison.Ordinal)
        .Replace("{health}", HubEndpoint + "/_localhub/health", StringComparison.Ordinal)
        .Replace("{token}", token, StringComparison.Ordinal);

    /// <summary>
    /// Everything a bad invocation must not change, as text: the user's repos with their head
    /// commits, the Space's secrets, variables, hardware request, sleep time and pause, and every
    /// file, folder and link under the local folders and the runner's HF_HOME.
    /// </summary>
    public async Task<string> SnapshotAsync(string hfHome)
    {
        var text = new StringBuilder();
        using var client = new HubClient(new HubClientOptions { Endpoint = new Uri(HubEndpoint), Token = HfToken.FromValue(WriteToken) });
        foreach (var type in new[] { RepoType.Model, RepoType.Dataset, RepoType.Space })
        {
            var ids = new List<string>();
            await foreach (var repo in client.Repos.ListAsync(type, User))
            {
                ids.Add(repo.Id);
            }
            foreach (var id in ids.Order(StringComparer.Ordinal))
            {
                var info = await client.Repos.GetInfoAsync(RepoId.Parse(id), type);
                text.AppendLine(CultureInfo.InvariantCulture, $"{type} {id} sha={info.Sha} private={info.Private}");
            }
        }
        if (await client.Repos.ExistsAsync(RepoId.Parse(Space), RepoType.Space))
        {
            foreach (var secret in await client.Spaces.ListSecretsAsync(Space))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"secret {secret.Key} {secret.UpdatedAt:O}");
            }
            foreach (var variable in await client.Spaces.ListVariablesAsync(Space))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"variable {variable.Key}={variable.Value} {variable.UpdatedAt:O}");
            }
            var runtime = await client.Spaces.GetRuntimeAsync(Space);
            text.AppendLine(CultureInfo.InvariantCulture, $"runtime requested={runtime.Hardware.Requested} sleep={runtime.SleepTime} paused={runtime.Stage == "PAUSED"}");
            text.AppendLine(CultureInfo.InvariantCulture, $"volumes {string.Join(' ', runtime.Volumes?.Select(v => v.ToMountString()) ?? [])}");
        }
        var buckets = new List<string> { OtherBucket };
        await foreach (var bucket in client.Buckets.ListAsync(User))
        {
            buckets.Add(bucket.Id);
        }
        foreach (var id in buckets.Order(StringComparer.Ordinal))
        {
            await foreach (var entry in client.Buckets.ListTreeAsync(HfHub.Buckets.BucketId.Parse(id), recursive: true))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"bucket {id} {entry.Type} {entry.Path} {entry.XetHash} {entry.UploadedAt:O}");
            }
            text.AppendLine(CultureInfo.InvariantCulture, $"bucket {id}");
        }
        Describe(text, "world", Root);
        Describe(text, "HF_HOME", hfHome, Path.Combine("hfctl", "persist"));
        return text.ToString();
    }

    // bookkeeping: a folder left out. persist records a save's intent before committing it (so a crash
    // between the two is recognised later); that record is bookkeeping, not a change a user sees.
    private static void Describe(StringBuilder text, string label, string root, string? bookkeeping = null)
    {
        if (!Directory.Exists(root))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{label}: missing");
            return;
        }
        var entries = new DirectoryInfo(root)
            .EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Concat(new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Where(e => e.LinkTarget is not null))
            .DistinctBy(e => e.FullName)
            .OrderBy(e => e.FullName, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var relative = Path.GetRelativePath(root, entry.FullName);
            // persist's record, beside a local file, of the version the file descends from: bookkeeping too.
            if (entry.Name.EndsWith(".hfpersist.json", StringComparison.Ordinal))
            {
                continue;
            }
            // Agent detection's cache of the Hub's harness registry and its last attempt: written before
            // any command runs, whatever it then does (as the Python client does), so bookkeeping too.
            if (label == "HF_HOME" && (relative == ".agent_harnesses.json" || relative == Path.Combine("hfctl", "agent-harnesses.checked")))
            {
                continue;
            }
            if (bookkeeping is not null && (relative == bookkeeping || bookkeeping.StartsWith(relative + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || relative.StartsWith(bookkeeping + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                continue;
            }
            if (entry.LinkTarget is { } target)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{label} link {relative} -> {target}");
            }
            else if (entry is FileInfo file)
            {
                using var stream = file.OpenRead();
                text.AppendLine(CultureInfo.InvariantCulture, $"{label} file {relative} {file.Length} {Convert.ToHexStringLower(SHA256.HashData(stream))}");
            }
            else
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{label} dir {relative}");
            }
        }
    }

    private void Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static async Task Setup(CliRunner cli, params string[] args)
    {
        var result = await cli.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"setup 'hfctl {string.Join(' ', args)}' failed: {result}");
    }

    /// <summary>Spaces build and start in milliseconds, so the matrix never waits for one.</summary>
    private sealed class FastSpacesHub : LocalHubFixture
    {
        protected override void Configure(LocalHubOptions options) => options.Spaces = SpaceTimings.Fast();
    }
}
