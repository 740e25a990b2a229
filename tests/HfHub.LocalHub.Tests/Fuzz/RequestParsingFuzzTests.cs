using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using HfCtl.Testing;

namespace HfHub.LocalHub.Tests.Fuzz;

/// <summary>
/// The local hub's request parsing over real HTTP: random and mutated NDJSON commit bodies, LFS
/// batch bodies, preupload bodies, paths-info JSON and forms, repo create and settings bodies,
/// and query strings. Every answer is a 2xx or a 4xx with a JSON error — never a 500, never a
/// dropped connection — and the hub still answers afterwards.
/// </summary>
public sealed class RequestParsingFuzzTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    // ---- generators of JSON text ---------------------------------------------------------------

    private static string Quote(string text) => JsonSerializer.Serialize(text, FuzzJsonContext.Default.String);

    private static readonly Gen<string> AnyString = Gen.Frequency(
        (4, Gen.String[Gen.Char["ab/._-é \\\"\n\0"], 0, 12]),
        (1, Gen.String));

    /// <summary>Any JSON value as text, with the awkward ones often: huge and fractional numbers, lone surrogates, deep nesting.</summary>
    private static readonly Gen<string> AnyValue = Gen.Frequency(
        (3, Gen.OneOf("null", "true", "false", "0", "-1", "1.5", "1e400", "-1e400", "9223372036854775807", "9223372036854775808",
            "-9223372036854775809", "2147483648", "\"\"", "[]", "{}", "[1,\"a\",null]", "{\"a\":{}}", "\"\\ud800\"", "\"\\u0000\"",
            new string('[', 100) + new string(']', 100), "\"../../etc/passwd\"", "\"/abs\"", "\"a\\\\b\"")),
        (2, AnyString.Select(Quote)),
        (1, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));

    /// <summary>Mostly a plausible value, sometimes anything.</summary>
    private static Gen<string> Hole(params string[] plausible) =>
        Gen.Frequency((2, Gen.OneOf(plausible)), (1, AnyValue));

    private static readonly Gen<string> Path = Hole("\"README.md\"", "\"data/x.txt\"", "\"new/file.bin\"", "\"./a\"", "\"/b\"", "\"data\"", "\"\"");
    private static readonly Gen<string> Sha = Hole("\"" + new string('a', 64) + "\"", "\"" + new string('A', 64) + "\"", "\"abc\"");
    private static readonly Gen<string> Size = Hole("0", "1", "5", "10485760", "1.0");

    private static readonly Gen<string> CommitHeader = Gen.Select(Hole("\"summary\"", "\"\"", "\" \""), Hole("\"\"", "\"d\""), Hole("null", "\"abcde\"", "\"zzzzz\"", "\"" + new string('0', 40) + "\""),
        (summary, description, parent) => $"{{\"key\":\"header\",\"value\":{{\"summary\":{summary},\"description\":{description},\"parentCommit\":{parent}}}}}");

    private static readonly Gen<string> CommitLine = Gen.Frequency(
        (3, Gen.Select(Hole("\"file\"", "\"lfsFile\"", "\"deletedFile\"", "\"deletedFolder\"", "\"header\"", "\"rename\""), Path,
            Hole("\"aGVsbG8=\"", "\"hello\"", "\"!!\"", "\"\""), Hole("\"base64\"", "\"utf-8\"", "\"hex\""), Sha, Size, Hole("\"sha256\"", "\"md5\""),
            (key, path, content, encoding, oid, size, algo) =>
                $"{{\"key\":{key},\"value\":{{\"path\":{path},\"content\":{content},\"encoding\":{encoding},\"oid\":{oid},\"size\":{size},\"algo\":{algo}}}}}")),
        (1, Gen.Select(Hole("\"file\"", "\"deletedFile\""), AnyValue, (key, value) => $"{{\"key\":{key},\"value\":{value}}}")),
        (1, AnyValue));

    private static readonly Gen<string> CommitBody = Gen.Select(CommitHeader, CommitLine.Array[0, 4], Gen.OneOf("\n", "\r\n", "\r", "\n\n"), Gen.Bool,
        (header, lines, newline, trailing) => string.Join(newline, lines.Prepend(header)) + (trailing ? newline : ""));

    private static readonly Gen<string> PreuploadBody = Gen.Frequency(
        (3, Gen.Select(Path, Size, Hole("\"aGVsbG8=\"", "\"\"", "\"!!\""), Hole("null", "\"*.bin filter=lfs\""), AnyValue,
            (path, size, sample, attributes, extra) => $"{{\"files\":[{{\"path\":{path},\"size\":{size},\"sample\":{sample}}},{extra}],\"gitAttributes\":{attributes}}}")),
        (1, AnyValue.Select(files => $"{{\"files\":{files}}}")),
        (1, AnyValue));

    private static readonly Gen<string> BatchBody = Gen.Frequency(
        (3, Gen.Select(Hole("\"upload\"", "\"download\""), Hole("[\"basic\"]", "[\"basic\",\"multipart\"]", "[]"), Sha, Size, Hole("\"sha256\"", "\"sha1\""),
            Hole("{\"name\":\"refs/heads/main\"}", "null"), AnyValue,
            (operation, transfers, oid, size, algo, reference, extra) =>
                $"{{\"operation\":{operation},\"transfers\":{transfers},\"objects\":[{{\"oid\":{oid},\"size\":{size}}},{extra}],\"hash_algo\":{algo},\"ref\":{reference}}}")),
        (1, AnyValue));

    private static readonly Gen<string> PathsInfoBody = Gen.Frequency(
        (3, Gen.Select(Hole("[\"README.md\"]", "[\"data\",\"data/x.txt\",\"nope\"]", "[]"), Hole("true", "false"), (paths, expand) => $"{{\"paths\":{paths},\"expand\":{expand}}}")),
        (1, AnyValue));

    private static readonly Gen<string> CreateBody = Gen.Select(Hole("\"fz\"", "\"me/fz\"", "\"a/b/c\"", "\"\""), Hole("\"model\"", "\"space\"", "\"dataset\"", "\"spaces\""),
        Hole("true", "false"), Hole("\"static\"", "\"docker\"", "\"gradio\""), Hole("null", "[{\"path\":\"a\",\"content\":\"b\"}]"),
        (name, type, isPrivate, sdk, files) => $"{{\"name\":{name},\"type\":{type},\"private\":{isPrivate},\"sdk\":{sdk},\"files\":{files}}}");

    private static readonly Gen<string> SettingsBody = Gen.Frequency(
        (3, Gen.Select(Hole("true", "false"), Hole("\"auto\"", "\"manual\"", "false"), (p, g) => $"{{\"private\":{p},\"gated\":{g}}}")),
        (1, AnyValue));

    /// <summary>Byte-level damage on top: truncation, a flipped byte, inserted junk, invalid UTF-8.</summary>
    private static Gen<byte[]> Damaged(Gen<string> body) => Gen.Select(body, Gen.Int[0, 5], Gen.Int.Uniform, Gen.Byte.Array[1, 8],
        (text, kind, at, junk) =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var i = bytes.Length == 0 ? 0 : (int)((uint)at % (uint)bytes.Length);
            return kind switch
            {
                0 => bytes[..i],
                1 when bytes.Length > 0 => [.. bytes[..i], (byte)(bytes[i] ^ 0x20), .. bytes[(i + 1)..]],
                2 => [.. bytes[..i], .. junk, .. bytes[i..]],
                3 => [.. bytes[..i], 0xC3, 0x28, 0xFF, .. bytes[i..]],
                _ => bytes,
            };
        });

    private sealed record Call(HttpMethod Method, string Path, byte[]? Body, string? ContentType)
    {
        public override string ToString() => $"{Method} {Path} {ContentType} {(Body is null ? "" : Encoding.UTF8.GetString(Body))}";
    }

    // ---- the property --------------------------------------------------------------------------

    private sealed record Target(HttpClient Client, string Repo);

    private async Task<Target> SetUpAsync()
    {
        var (_, token) = await hub.CreateUserAsync();
        var client = hub.RawClient(token);
        var repo = await client.CreateRepoAsync("fuzz-" + Guid.NewGuid().ToString("N")[..8]);
        await client.CommitOkAsync(repo, "seed", HubFiles.File("README.md", "# fuzz\n"), HubFiles.File("data/x.txt", "x"));
        return new Target(client, repo);
    }

    /// <summary>Sends one request: it must come back whole, as a 2xx or a 4xx with a JSON error.</summary>
    private static async Task CheckAsync(HttpClient client, Call call)
    {
        using var request = new HttpRequestMessage(call.Method, call.Path);
        if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(call.ContentType ?? "application/json");
        }
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status is (>= 200 and < 300) or (>= 400 and < 500) or 302, $"{status} {text}");
        if (status >= 400)
        {
            using var error = JsonDocument.Parse(text);
            Assert.True(error.RootElement.TryGetProperty("error", out var message) && message.ValueKind == JsonValueKind.String, text);
        }
    }

    private async Task StillAnswersAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/whoami-v2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task RunAsync(Func<string, Gen<Call>> calls, long iterations)
    {
        var target = await SetUpAsync();
        await calls(target.Repo).SampleAsync(call => CheckAsync(target.Client, call), iter: FuzzSettings.Iter(iterations), threads: 2);
        await StillAnswersAsync(target.Client);
    }

    [Fact]
    public Task Commit_bodies() => RunAsync(repo =>
        Damaged(CommitBody).Select(body => new Call(HttpMethod.Post, $"/api/models/{repo}/commit/main", body, "application/x-ndjson")), 3000);

    [Fact]
    public Task Preupload_bodies() => RunAsync(repo =>
        Damaged(PreuploadBody).Select(body => new Call(HttpMethod.Post, $"/api/models/{repo}/preupload/main", body, null)), 3000);

    [Fact]
    public Task Lfs_batch_bodies() => RunAsync(repo =>
        Damaged(BatchBody).Select(body => new Call(HttpMethod.Post, $"/{repo}.git/info/lfs/objects/batch", body, "application/vnd.git-lfs+json")), 3000);

    [Fact]
    public Task Paths_info_bodies_and_forms()
    {
        var form = Gen.Select(Gen.OneOf("paths", "expand", "path", "paths[]", "", "=", "%FF").Array[0, 6], AnyString.Array[0, 6],
            (keys, values) => string.Join('&', keys.Zip(values, (k, v) => k + "=" + Uri.EscapeDataString(new string([.. v.Select(c => char.IsSurrogate(c) ? 'x' : c)])))));
        var formBody = Gen.Frequency((3, form), (1, AnyString));
        return RunAsync(repo => Gen.OneOf(
            Damaged(PathsInfoBody).Select(body => new Call(HttpMethod.Post, $"/api/models/{repo}/paths-info/main", body, null)),
            Damaged(formBody).Select(body => new Call(HttpMethod.Post, $"/api/models/{repo}/paths-info/main", body, "application/x-www-form-urlencoded"))), 3000);
    }

    [Fact]
    public Task Repo_create_and_settings_bodies() => RunAsync(repo => Gen.OneOf(
        Damaged(CreateBody).Select(body => new Call(HttpMethod.Post, "/api/repos/create", body, null)),
        Damaged(SettingsBody).Select(body => new Call(HttpMethod.Put, $"/api/models/{repo}/settings", body, null))), 2000);

    private static readonly Gen<string> SpaceBody = Gen.Frequency(
        (3, Gen.Select(Hole("\"KEY\"", "\"key\"", "\"1x\"", "\"\""), Hole("\"v\"", "\"\""), Hole("\"cpu-basic\"", "\"t4-small\"", "\"nope\""),
            Hole("300", "-1", "0", "1.5"), Hole("[{\"key\":\"A\",\"value\":\"b\"}]", "[]"), Hole("\"private\"", "\"public\""),
            (key, value, flavor, seconds, list, visibility) =>
                $"{{\"key\":{key},\"value\":{value},\"description\":{value},\"flavor\":{flavor},\"seconds\":{seconds},\"sleepTimeSeconds\":{seconds},"
                + $"\"secrets\":{list},\"variables\":{list},\"repository\":{key},\"hardware\":{flavor},\"visibility\":{visibility},\"enabled\":{value}}}")),
        (1, AnyValue));

    [Fact]
    public async Task Space_setting_bodies()
    {
        var (user, token) = await hub.CreateUserAsync();
        var client = hub.RawClient(token);
        var space = await client.CreateRepoAsync("fuzz-space-" + Guid.NewGuid().ToString("N")[..8], type: "space");
        var calls = Gen.Select(
            Gen.OneOf(("POST", "secrets"), ("DELETE", "secrets"), ("POST", "variables"), ("DELETE", "variables"), ("POST", "hardware"),
                ("POST", "sleeptime"), ("POST", "dev-mode"), ("POST", "duplicate")),
            Damaged(SpaceBody),
            (route, body) => new Call(new HttpMethod(route.Item1), $"/api/spaces/{space}/{route.Item2}", body, null));
        await calls.SampleAsync(call => CheckAsync(client, call), iter: FuzzSettings.Iter(2000), threads: 2);
        await StillAnswersAsync(client);
        Assert.NotNull(user);
    }

    private static readonly Gen<string> QueryValue = Gen.Frequency(
        (3, Gen.OneOf("1", "0", "-1", "2147483647", "2147483648", "99999999999999999999", "abc", "", "true", "True", "formatted", "sha", "siblings",
            "createdAt", "id", "lastModified", "%", "%zz", "%FF%FE", "%00", "%2F..%2F", "eyJvZmZzZXQiOjF9", "MQ", "W10", "eyJvZmZzZXQiOiJ4In0",
            "eyJvZmZzZXQiOjEuNX0", "eyJvZmZzZXQiOi0xfQ", "eyJvZmZzZXQiOjFlOTl9", "_-_-", "AAAA")),
        (1, Gen.String[Gen.Char["abc019%/+=&?#._-"], 0, 12]),
        // A cursor made of any JSON: the hub decodes cursors as base64url JSON.
        (1, AnyValue.Select(json => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_'))));

    private static readonly Gen<string> Query = Gen.Select(
        Gen.OneOf("limit", "cursor", "skip", "p", "expand", "expand[]", "full", "sort", "direction", "author", "search", "filter", "recursive",
            "blobs", "include_prs", "create_pr", "x").Array[0, 5],
        QueryValue.Array[5, 5],
        (keys, values) => string.Join('&', keys.Select((k, i) => k + "=" + values[i])));

    [Fact]
    public Task Query_strings() => RunAsync(repo =>
        Gen.Select(Gen.OneOf("/api/models", "/api/datasets", "/api/spaces", $"/api/models/{repo}", $"/api/models/{repo}/revision/main",
            $"/api/models/{repo}/tree/main", $"/api/models/{repo}/tree/main/data", $"/api/models/{repo}/commits/main", $"/api/models/{repo}/refs",
            $"/{repo}/resolve/main/README.md", $"/api/models/{repo}/tree/%FF", $"/api/models/{repo}/commits/%2E%2E"), Query,
            (path, query) => new Call(HttpMethod.Get, path + "?" + query, null, null)), 3000);

    // ---- regressions: the shrunk inputs that answered 500 before the fixes ------------------------

    public static TheoryData<string, string, string, string?, int> Shrunk => new()
    {
        // DecodeCursor read a cursor that decoded to [1,"a",null] as an object.
        { "GET", "/api/models?cursor=WzEsImEiLG51bGxd", "", null, 200 },
        // A lone surrogate escape is valid JSON but reading the string threw.
        { "POST", "/api/repos/create", "{\"name\":\"fz\",\"type\":\"\\ud800\"}", null, 400 },
        { "POST", "/api/models/{repo}/commit/main", "{\"key\":\"header\",\"value\":{\"summary\":\"\\ud800\",\"parentCommit\":{}}}", "application/x-ndjson", 400 },
        // Invalid UTF-8 inside a JSON string (the bytes C3 28 FF).
        { "POST", "/api/models/{repo}/paths-info/main", "{\"paths\":[\"data\",\"\u00C3(\u00FFdata/x.txt\"]}", null, 400 },
        { "DELETE", "/api/spaces/{space}/variables", "{\"key\":\"/ab\u00C3(\u00FFs\"}", null, 400 },
        // Array items that are not objects.
        { "POST", "/{repo}.git/info/lfs/objects/batch", "{\"operation\":\"upload\",\"transfers\":[],\"objects\":[{\"oid\":\"abc\"},null]}", "application/vnd.git-lfs+json", 200 },
        { "POST", "/api/models/{repo}/preupload/main", "{\"files\":[{\"path\":\"data\",\"size\":5,\"sample\":\"\"},1983628113825421094]}", null, 400 },
        // Numbers that are not longs where a size is read.
        { "POST", "/api/models/{repo}/preupload/main", "{\"files\":[{\"path\":\"a\",\"size\":\"5\"}]}", null, 400 },
        { "POST", "/{repo}.git/info/lfs/objects/batch", "{\"operation\":\"upload\",\"objects\":[{\"oid\":\"abc\",\"size\":\"1\"}],\"transfers\":[1]}", "application/vnd.git-lfs+json", 200 },
    };

    [Theory]
    [MemberData(nameof(Shrunk))]
    public async Task Shrunk_inputs_answer_without_a_server_error(string method, string path, string body, string? contentType, int expected)
    {
        var target = await SetUpAsync();
        if (path.Contains("{space}", StringComparison.Ordinal))
        {
            var space = await target.Client.CreateRepoAsync("fuzz-space-" + Guid.NewGuid().ToString("N")[..8], type: "space");
            path = path.Replace("{space}", space, StringComparison.Ordinal);
        }
        // Latin-1 so the test can spell raw invalid UTF-8 bytes as \u00XX characters.
        var bytes = body.Any(c => c is >= '\u0080' and <= '\u00FF') ? Encoding.Latin1.GetBytes(body) : Encoding.UTF8.GetBytes(body);
        var call = new Call(new HttpMethod(method), path.Replace("{repo}", target.Repo, StringComparison.Ordinal), method == "GET" ? null : bytes, contentType);
        await CheckAsync(target.Client, call);
        using var request = new HttpRequestMessage(call.Method, call.Path);
        if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }
        using var response = await target.Client.SendAsync(request);
        Assert.Equal(expected, (int)response.StatusCode);
    }

    // ---- bounds: large inputs are refused, not buffered whole ------------------------------------

    [Fact]
    public async Task A_commit_line_without_end_is_refused_with_413()
    {
        var target = await SetUpAsync();
        var body = new byte[24 * 1024 * 1024];
        var header = "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n"u8;
        header.CopyTo(body);
        body.AsSpan(header.Length).Fill((byte)'a');
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await target.Client.PostAsync($"/api/models/{target.Repo}/commit/main", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("LFS", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await StillAnswersAsync(target.Client);
    }

    [Theory]
    [InlineData("/api/models/{repo}/preupload/main")]
    [InlineData("/{repo}.git/info/lfs/objects/batch")]
    [InlineData("/api/models/{repo}/paths-info/main")]
    public async Task A_json_body_over_the_limit_is_refused_with_413(string path)
    {
        var target = await SetUpAsync();
        // 12 MiB of valid JSON: a single string.
        var body = new byte[12 * 1024 * 1024];
        body.AsSpan().Fill((byte)'x');
        body[0] = (byte)'"';
        body[^1] = (byte)'"';
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await target.Client.PostAsync(path.Replace("{repo}", target.Repo, StringComparison.Ordinal), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await StillAnswersAsync(target.Client);
    }

    [Fact]
    public async Task A_paths_info_form_with_too_many_values_is_refused_with_413()
    {
        var target = await SetUpAsync();
        var form = string.Join('&', Enumerable.Range(0, 3000).Select(i => $"paths=f{i}"));
        using var content = new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded");
        using var response = await target.Client.PostAsync($"/api/models/{target.Repo}/paths-info/main", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await StillAnswersAsync(target.Client);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class FuzzJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
