using System.Text.Json;
using HfHub.LocalHub.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HfHub.LocalHub.Faults;

/// <summary>
/// Admin routes for resilience tests (admin secret required):
/// <c>GET|POST /_localhub/faults</c> reads or switches fault injection at runtime, and
/// <c>POST /_localhub/blobs/{sha256}/corrupt</c> flips one byte of a stored blob (size kept) so
/// clients' checksum verification can be exercised.
/// </summary>
internal static class FaultRoutes
{
    public static void Map(IEndpointRouteBuilder app, HubState state)
    {
        app.MapGet("/_localhub/faults", AdminRoutes.RequireAdmin(state, context => Describe(context, state)));
        app.MapPost("/_localhub/faults", AdminRoutes.RequireAdmin(state, context => Switch(context, state)));
        app.MapPost("/_localhub/blobs/{sha256}/corrupt", AdminRoutes.RequireAdmin(state, context => Corrupt(context, state)));
    }

    /// <summary>
    /// Body: <c>{"spec": "rate=0.1,kinds=500+429,seed=42"}</c>, or the fields
    /// <c>{"rate": 0.1, "kinds": ["500", "429", "drop", "truncate", "slow", "late"], "seed": 42, "delayMs": 250, "retryAfter": 1,
    /// "methods": ["GET", "PUT"], "paths": ["/lfs-storage"]}</c>;
    /// <c>{"rate": 0}</c> switches faults off.
    /// </summary>
    private static async Task Switch(HttpContext context, HubState state)
    {
        using var document = await RepoLookup.ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null)
        {
            return;
        }
        var body = document.RootElement;
        FaultOptions options;
        try
        {
            if (body.String("spec") is { } spec)
            {
                options = FaultOptions.Parse(spec);
            }
            else
            {
                options = new FaultOptions();
                if (body.TryGetProperty("rate", out var rate))
                {
                    options = options with { Rate = rate.GetDouble() is var r && r is >= 0 and <= 1 ? r : throw new FormatException("rate must be between 0 and 1") };
                }
                if (body.TryGetProperty("kinds", out var kinds) && kinds.ValueKind == JsonValueKind.Array)
                {
                    options = options with { Kinds = kinds.EnumerateArray().Select(k => FaultOptions.ParseKind(k.ToString())).Distinct().ToList() };
                }
                if (body.TryGetProperty("seed", out var seed))
                {
                    options = options with { Seed = seed.GetInt32() };
                }
                if (body.TryGetProperty("delayMs", out var delay))
                {
                    options = options with { SlowDelay = TimeSpan.FromMilliseconds(Math.Max(0, delay.GetInt32())) };
                }
                if (body.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array)
                {
                    options = options with { Methods = [.. methods.EnumerateArray().Select(m => (m.GetString() ?? "").ToUpperInvariant())] };
                }
                if (body.TryGetProperty("paths", out var paths) && paths.ValueKind == JsonValueKind.Array)
                {
                    options = options with { Paths = [.. paths.EnumerateArray().Select(p => p.GetString() ?? "")] };
                }
                if (body.TryGetProperty("retryAfter", out var retryAfter))
                {
                    options = options with { RetryAfterSeconds = Math.Max(0, retryAfter.GetInt32()) };
                }
            }
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            await HubResponses.BadRequest(context, e.Message).ConfigureAwait(false);
            return;
        }
        state.Faults.Options = options;
        await Describe(context, state).ConfigureAwait(false);
    }

    private static Task Describe(HttpContext context, HubState state)
    {
        var options = state.Faults.Options;
        var counts = state.Faults.Counts;
        return RepoLookup.WriteJsonAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("rate", options.Rate);
            w.WriteStartArray("kinds");
            foreach (var kind in options.Kinds)
            {
                w.WriteStringValue(FaultOptions.KindName(kind));
            }
            w.WriteEndArray();
            w.WriteNumber("seed", options.Seed);
            w.WriteNumber("delayMs", (long)options.SlowDelay.TotalMilliseconds);
            w.WriteNumber("retryAfter", options.RetryAfterSeconds);
            w.WriteStartArray("methods");
            foreach (var method in options.Methods)
            {
                w.WriteStringValue(method);
            }
            w.WriteEndArray();
            w.WriteStartArray("paths");
            foreach (var path in options.Paths)
            {
                w.WriteStringValue(path);
            }
            w.WriteEndArray();
            w.WriteStartObject("injected");
            foreach (var (kind, count) in counts)
            {
                w.WriteNumber(FaultOptions.KindName(kind), count);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static async Task Corrupt(HttpContext context, HubState state)
    {
        var sha = (context.Request.RouteValues["sha256"] as string ?? "").ToLowerInvariant();
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit) || !state.Blobs.Exists(sha))
        {
            await HubResponses.Error(context, StatusCodes.Status404NotFound, "No stored blob with this SHA-256").ConfigureAwait(false);
            return;
        }
        await using (var file = new FileStream(state.Blobs.PathOf(sha), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            if (file.Length > 0)
            {
                file.Position = file.Length / 2;
                var value = file.ReadByte();
                file.Position = file.Length / 2;
                file.WriteByte((byte)(value ^ 0xFF));
            }
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
