using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HfCtl.Commands.LocalHub;

/// <summary>What a running <c>hfctl local-hub serve</c> says about itself in its state folder.</summary>
/// <param name="Endpoint">Where it listens, e.g. <c>http://127.0.0.1:43907</c>.</param>
/// <param name="Pid">Its process id, to tell a live server from a file left by a killed one.</param>
/// <param name="Token">The demo account's write token of that hub (local to it, as the hub's own database holds it).</param>
internal sealed record LocalHubServeInfo(string Endpoint, int Pid, string? Token);

/// <summary>
/// Lets <c>--local</c> find a <c>local-hub serve</c> running on the same state folder, so a command
/// uses it instead of embedding a hub of its own that stops when the command ends (taking the app
/// URLs it printed with it). The server writes <see cref="FileName"/> when it starts and removes
/// it when it stops; a reader trusts it only when that process is alive and the hub answers its
/// health route.
/// </summary>
internal static class LocalHubDiscovery
{
    public const string FileName = "serve.json";

    /// <summary>Writes the file atomically, readable by its owner only (it holds a token).</summary>
    public static void Write(string stateDirectory, LocalHubServeInfo info)
    {
        var path = Path.Combine(stateDirectory, FileName);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, info, LocalHubDiscoveryJsonContext.Default.LocalHubServeInfo);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Removes the file if it still describes this process (a newer server may have replaced it).</summary>
    public static void Remove(string stateDirectory)
    {
        var path = Path.Combine(stateDirectory, FileName);
        if (Read(path) is { } info && info.Pid == Environment.ProcessId)
        {
            File.Delete(path);
        }
    }

    /// <summary>The live server on this state folder, or null (none, its process is gone, or it does not answer).</summary>
    public static async Task<LocalHubServeInfo?> FindAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        if (Read(Path.Combine(stateDirectory, FileName)) is not { } info
            || !Uri.TryCreate(info.Endpoint, UriKind.Absolute, out var endpoint)
            || !endpoint.IsLoopback
            || !IsAlive(info.Pid))
        {
            return null;
        }
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri(endpoint, "/_localhub/health"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? info : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static LocalHubServeInfo? Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, LocalHubDiscoveryJsonContext.Default.LocalHubServeInfo);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LocalHubServeInfo))]
internal sealed partial class LocalHubDiscoveryJsonContext : JsonSerializerContext;
