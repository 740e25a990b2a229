using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HfCtl.Bench.Load;

/// <summary>What a load run measured.</summary>
public sealed record LoadResult(
    int Clients,
    TimeSpan Duration,
    long Requests,
    long Errors,
    long BytesReceived,
    double P50Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    IReadOnlyDictionary<string, long> RequestsByKind,
    IReadOnlyList<string> FirstErrors)
{
    public double RequestsPerSecond => Requests / Duration.TotalSeconds;

    public double MegabytesPerSecond => BytesReceived / 1_000_000.0 / Duration.TotalSeconds;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"""
        clients      {Clients}
        duration     {Duration.TotalSeconds:F1} s
        requests     {Requests} ({string.Join(", ", RequestsByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"))})
        errors       {Errors}{(FirstErrors.Count > 0 ? " — first: " + string.Join(" | ", FirstErrors) : "")}
        throughput   {RequestsPerSecond:F0} req/s, {MegabytesPerSecond:F1} MB/s
        latency      p50 {P50Milliseconds:F2} ms, p99 {P99Milliseconds:F2} ms, max {MaxMilliseconds:F1} ms
        """);
}

/// <summary>
/// A mixed-traffic load run against a hub (the local hub on loopback): each client is its own
/// HTTP connection pool and loops over whoami, model info, tree, list Spaces, paths-info, whole
/// downloads of a regular and an LFS file (resolve, then the signed storage redirect) and Range
/// downloads, checking every answer's status and bytes. Raw HttpClient on purpose: it measures
/// the hub, not a client library. Shared by <c>bench/load</c> and the test suite's smoke test.
/// </summary>
public sealed class LoadDriver
{
    private const int LfsSize = 4 * 1024 * 1024;
    private const int SmallSize = 16 * 1024;
    private static readonly string[] Kinds =
        ["whoami", "model-info", "tree", "list-spaces", "paths-info", "download-small", "download-lfs", "range-small", "range-lfs"];

    private readonly Uri _endpoint;
    private readonly string _token;
    private readonly byte[] _small = RandomBytes(SmallSize, 1);
    private readonly byte[] _lfs = RandomBytes(LfsSize, 2);
    private string _repo = "";

    public LoadDriver(Uri endpoint, string token)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = new Uri(endpoint.ToString().TrimEnd('/') + "/");
        _token = token;
    }

    /// <summary>Creates the public model repo the clients read: <c>small.bin</c> (regular), <c>weights.bin</c> (LFS, 4 MiB) and a few more files for the tree.</summary>
    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        using var http = Client();
        using var whoami = await http.GetAsync("api/whoami-v2", cancellationToken);
        whoami.EnsureSuccessStatusCode();
        var user = (await whoami.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("name").GetString()!;
        var name = "load-" + Guid.NewGuid().ToString("N")[..8];
        using (var create = await http.PostAsJsonAsync("api/repos/create", new Dictionary<string, object?> { ["name"] = name, ["organization"] = user, ["private"] = false }, cancellationToken))
        {
            create.EnsureSuccessStatusCode();
        }
        _repo = $"{user}/{name}";
        await UploadLfsAsync(http, cancellationToken);

        var lines = new List<string>
        {
            JsonSerializer.Serialize(new Dictionary<string, object> { ["key"] = "header", ["value"] = new Dictionary<string, string> { ["summary"] = "load seed", ["description"] = "" } }),
            FileLine("small.bin", _small),
            JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["key"] = "lfsFile",
                ["value"] = new Dictionary<string, object> { ["path"] = "weights.bin", ["algo"] = "sha256", ["oid"] = Sha256(_lfs), ["size"] = (long)_lfs.Length },
            }),
        };
        for (var i = 0; i < 20; i++)
        {
            lines.Add(FileLine($"docs/page{i:D2}.md", Encoding.UTF8.GetBytes($"# page {i}\n")));
        }
        using var body = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        using var commit = await http.PostAsync($"api/models/{_repo}/commit/main", body, cancellationToken);
        if (!commit.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"seed commit failed: {(int)commit.StatusCode} {await commit.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>Runs <paramref name="clients"/> clients for <paramref name="duration"/> after a short warm-up that is not measured.</summary>
    public async Task<LoadResult> RunAsync(int clients, TimeSpan duration, TimeSpan warmUp, CancellationToken cancellationToken = default)
    {
        if (_repo.Length == 0)
        {
            throw new InvalidOperationException("call SeedAsync first");
        }
        var workers = Enumerable.Range(0, clients).Select(i => new Worker(this, i)).ToList();
        try
        {
            using var warm = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            warm.CancelAfter(warmUp);
            await Task.WhenAll(workers.Select(w => w.LoopAsync(record: false, warm.Token)));
            foreach (var worker in workers)
            {
                worker.Reset();
            }
            var clock = Stopwatch.StartNew();
            using var measured = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            measured.CancelAfter(duration);
            await Task.WhenAll(workers.Select(w => w.LoopAsync(record: true, measured.Token)));
            clock.Stop();
            cancellationToken.ThrowIfCancellationRequested();

            var latencies = workers.SelectMany(w => w.Latencies).ToArray();
            Array.Sort(latencies);
            var byKind = Kinds.ToDictionary(k => k, k => workers.Sum(w => w.Counts[Array.IndexOf(Kinds, k)]), StringComparer.Ordinal);
            return new LoadResult(
                clients,
                clock.Elapsed,
                latencies.LongLength,
                workers.Sum(w => w.Errors),
                workers.Sum(w => w.Bytes),
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                latencies.Length == 0 ? 0 : Milliseconds(latencies[^1]),
                byKind,
                [.. workers.SelectMany(w => w.ErrorSamples).Take(5)]);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Milliseconds(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)]);

    private HttpClient Client(HttpMessageHandler? handler = null)
    {
        var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        client.BaseAddress = _endpoint;
        client.Timeout = TimeSpan.FromSeconds(30);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return client;
    }

    private async Task UploadLfsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var batch = new Dictionary<string, object>
        {
            ["operation"] = "upload",
            ["transfers"] = new[] { "basic" },
            ["hash_algo"] = "sha256",
            ["ref"] = new Dictionary<string, string> { ["name"] = "main" },
            ["objects"] = new[] { new Dictionary<string, object> { ["oid"] = Sha256(_lfs), ["size"] = (long)_lfs.Length } },
        };
        using var content = JsonContent.Create(batch, mediaType: new MediaTypeHeaderValue("application/vnd.git-lfs+json"));
        using var response = await http.PostAsync($"{_repo}.git/info/lfs/objects/batch", content, cancellationToken);
        response.EnsureSuccessStatusCode();
        var item = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("objects")[0];
        if (!item.TryGetProperty("actions", out var actions))
        {
            return;
        }
        using var storage = new HttpClient();
        using var bytes = new ByteArrayContent(_lfs);
        using var put = await storage.PutAsync(actions.GetProperty("upload").GetProperty("href").GetString(), bytes, cancellationToken);
        put.EnsureSuccessStatusCode();
    }

    private static string FileLine(string path, byte[] content) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["key"] = "file",
        ["value"] = new Dictionary<string, string> { ["path"] = path, ["content"] = Convert.ToBase64String(content), ["encoding"] = "base64" },
    });

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] RandomBytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>One client: its own connection pool, its own latency list and counters.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly LoadDriver _driver;
        private readonly HttpClient _http;
        private readonly Random _random;
        private readonly byte[] _buffer = new byte[81920];

        public Worker(LoadDriver driver, int index)
        {
            _driver = driver;
            _random = new Random(index);
            // One connection per client, redirects followed (resolve → signed storage URL); .NET drops
            // Authorization on redirects, as the storage URLs expect.
            _http = driver.Client(new SocketsHttpHandler { MaxConnectionsPerServer = 1, AllowAutoRedirect = true, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
        }

        public List<long> Latencies { get; private set; } = [];
        public long[] Counts { get; private set; } = new long[Kinds.Length];
        public long Errors { get; private set; }
        public long Bytes { get; private set; }
        public List<string> ErrorSamples { get; } = [];

        public void Reset()
        {
            Latencies = [];
            Counts = new long[Kinds.Length];
            Errors = 0;
            Bytes = 0;
            ErrorSamples.Clear();
        }

        public async Task LoopAsync(bool record, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var kind = _random.Next(Kinds.Length);
                var started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    error = await OneAsync(kind, stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return; // the run ended mid-request: neither a result nor an error
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException)
                {
                    error = e.GetType().Name + ": " + e.Message;
                }
                var elapsed = Stopwatch.GetTimestamp() - started;
                if (!record)
                {
                    continue;
                }
                Latencies.Add(elapsed);
                Counts[kind]++;
                if (error is not null)
                {
                    Errors++;
                    if (ErrorSamples.Count < 3)
                    {
                        ErrorSamples.Add($"{Kinds[kind]}: {error}");
                    }
                }
            }
        }

        /// <summary>One request of the given kind; null when its answer is right, else what was wrong.</summary>
        private async Task<string?> OneAsync(int kind, CancellationToken stop)
        {
            var repo = _driver._repo;
            switch (Kinds[kind])
            {
                case "whoami":
                    return await ExpectAsync(new HttpRequestMessage(HttpMethod.Get, "api/whoami-v2"), HttpStatusCode.OK, "\"name\"", stop);
                case "model-info":
                    return await ExpectAsync(new HttpRequestMessage(HttpMethod.Get, $"api/models/{repo}"), HttpStatusCode.OK, "\"sha\"", stop);
                case "tree":
                    return await ExpectAsync(new HttpRequestMessage(HttpMethod.Get, $"api/models/{repo}/tree/main/docs"), HttpStatusCode.OK, "page19.md", stop);
                case "list-spaces":
                    return await ExpectAsync(new HttpRequestMessage(HttpMethod.Get, "api/spaces?limit=20"), HttpStatusCode.OK, "[", stop);
                case "paths-info":
                    return await ExpectAsync(new HttpRequestMessage(HttpMethod.Post, $"api/models/{repo}/paths-info/main")
                    {
                        Content = new FormUrlEncodedContent([new("paths", "small.bin"), new("paths", "weights.bin")]),
                    }, HttpStatusCode.OK, "weights.bin", stop);
                case "download-small":
                    return await DownloadAsync($"{repo}/resolve/main/small.bin", _driver._small, 0, SmallSize, null, stop);
                case "download-lfs":
                    return await DownloadAsync($"{repo}/resolve/main/weights.bin", _driver._lfs, 0, LfsSize, null, stop);
                case "range-small":
                    {
                        var start = _random.Next(SmallSize - 1024);
                        return await DownloadAsync($"{repo}/resolve/main/small.bin", _driver._small, start, 1024, (start, start + 1023), stop);
                    }
                default:
                    {
                        var start = _random.Next(LfsSize - 65536);
                        return await DownloadAsync($"{repo}/resolve/main/weights.bin", _driver._lfs, start, 65536, (start, start + 65535), stop);
                    }
            }
        }

        private async Task<string?> ExpectAsync(HttpRequestMessage request, HttpStatusCode status, string contains, CancellationToken stop)
        {
            using (request)
            {
                using var response = await _http.SendAsync(request, stop);
                var text = await response.Content.ReadAsStringAsync(stop);
                Bytes += Encoding.UTF8.GetByteCount(text);
                if (response.StatusCode != status)
                {
                    return $"{(int)response.StatusCode} {text[..Math.Min(120, text.Length)]}";
                }
                return text.Contains(contains, StringComparison.Ordinal) ? null : $"answer lacks {contains}";
            }
        }

        /// <summary>Downloads (a range of) a file, streaming, and compares every byte with the seed.</summary>
        private async Task<string?> DownloadAsync(string url, byte[] expected, int offset, int length, (int From, int To)? range, CancellationToken stop)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (range is { } r)
            {
                request.Headers.Range = new RangeHeaderValue(r.From, r.To);
            }
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            var want = range is null ? HttpStatusCode.OK : HttpStatusCode.PartialContent;
            if (response.StatusCode != want)
            {
                return $"{(int)response.StatusCode} for {url}";
            }
            await using var stream = await response.Content.ReadAsStreamAsync(stop);
            var position = 0;
            int read;
            while ((read = await stream.ReadAsync(_buffer, stop)) > 0)
            {
                if (position + read > length || !_buffer.AsSpan(0, read).SequenceEqual(expected.AsSpan(offset + position, read)))
                {
                    return $"wrong bytes at {offset + position} of {url}";
                }
                position += read;
                Bytes += read;
            }
            return position == length ? null : $"short body ({position} of {length}) for {url}";
        }

        public void Dispose() => _http.Dispose();
    }
}
