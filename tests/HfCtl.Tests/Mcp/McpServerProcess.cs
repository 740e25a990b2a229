using System.Diagnostics;
using System.Text;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace HfCtl.Tests.Mcp;

/// <summary>
/// <c>hfctl mcp</c> as an MCP client sees it: the built hfctl started as a process, the official C# SDK's
/// client talking to it over its stdin and stdout, and every byte of both directions recorded, so a test
/// can check what crossed the wire and not only what the client made of it.
/// </summary>
internal sealed class McpServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly RecordingStream _toServer;
    private readonly RecordingStream _fromServer;
    private readonly StringBuilder _stderr = new();

    private McpServerProcess(Process process, RecordingStream toServer, RecordingStream fromServer, McpClient client, string home)
    {
        _process = process;
        _toServer = toServer;
        _fromServer = fromServer;
        Client = client;
        Home = home;
    }

    public McpClient Client { get; }

    /// <summary>The server's HF_HOME, and its working folder.</summary>
    public string Home { get; }

    /// <summary>Everything the client sent (JSON-RPC lines).</summary>
    public string SentToServer => _toServer.Text;

    /// <summary>Everything the server sent on stdout (JSON-RPC lines).</summary>
    public string SentByServer => _fromServer.Text;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static async Task<McpServerProcess> StartAsync(string endpoint, string token, params string[] args)
    {
        var home = Directory.CreateTempSubdirectory("hfctl-mcp-").FullName;
        var info = HfCtlProcess.StartInfo(["mcp", .. args]);
        info.RedirectStandardInput = true;
        info.WorkingDirectory = home;
        info.Environment["HF_HOME"] = home;
        info.Environment["HF_ENDPOINT"] = endpoint;
        // The local hub serves the Endpoints API too, under its own address.
        info.Environment["HF_ENDPOINTS_API"] = endpoint.TrimEnd('/') + "/_endpoints/v2";
        info.Environment["HF_TOKEN"] = token;
        var process = Process.Start(info)!;
        var toServer = new RecordingStream(process.StandardInput.BaseStream);
        var fromServer = new RecordingStream(process.StandardOutput.BaseStream);
        var transport = new StreamClientTransport(toServer, fromServer);
        McpClient client;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            client = await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "hfctl-tests", Version = "1" } }, cancellationToken: timeout.Token);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var server = new McpServerProcess(process, toServer, fromServer, client, home);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (server._stderr)
            {
                server._stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Calls a tool with a deadline, so a hung server fails the test instead of hanging it.</summary>
    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?>? arguments = null, IProgress<ModelContextProtocol.ProgressNotificationValue>? progress = null, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        return await Client.CallToolAsync(tool, arguments, progress, cancellationToken: timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A pass-through stream that keeps a copy of every byte read or written.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly MemoryStream _copy = new();

        public string Text
        {
            get
            {
                lock (_copy)
                {
                    return Encoding.UTF8.GetString(_copy.ToArray());
                }
            }
        }

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            Record(buffer.AsSpan(offset, n));
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            Record(buffer.Span[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Record(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private void Record(ReadOnlySpan<byte> bytes)
        {
            lock (_copy)
            {
                _copy.Write(bytes);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
