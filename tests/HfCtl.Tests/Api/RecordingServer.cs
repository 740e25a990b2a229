using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HfCtl.Tests.Api;

/// <summary>A request as the server received it.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>What the server answers: status, headers and body (a function of the request and its origin).</summary>
public sealed record ScriptedResponse(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A real HTTP server on loopback that records every request and answers from a script. It stands
/// in for a Hub route the local hub does not serve, so <c>hfctl api</c>'s request building and
/// pagination are checked on the wire rather than against a mocked HttpClient.
/// </summary>
public sealed class RecordingServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<RecordedRequest, string, ScriptedResponse> _respond;
    private readonly Task _loop;

    public RecordingServer(Func<RecordedRequest, string, ScriptedResponse> respond)
    {
        _respond = respond;
        var port = FreePort();
        Origin = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Origin + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Origin { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
                .ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var request = new RecordedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "/", headers, await reader.ReadToEndAsync());
            Requests.Enqueue(request);
            var response = _respond(request, Origin);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }
            var bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
