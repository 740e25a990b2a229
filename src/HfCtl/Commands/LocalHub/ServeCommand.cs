using System.CommandLine;
using System.Text.Json;
using HfCtl.Cli;
using HfHub.LocalHub;

namespace HfCtl.Commands.LocalHub;

/// <summary>
/// <c>hfctl local-hub serve</c>: a long-running local hub. At start it prints one line that any
/// client can <c>eval</c> or copy: <c>HF_ENDPOINT=… HF_TOKEN=…</c> (the seeded demo account's
/// write token, local to this hub), and the admin secret on the next line. Ctrl-C or SIGTERM stops it.
/// While it runs, <c>--local</c> commands on the same state folder use it (<see cref="LocalHubDiscovery"/>).
/// </summary>
internal static class ServeCommand
{
    private static readonly Option<int> Port = new("--port") { Description = "Port on 127.0.0.1 (default: a free one)", DefaultValueFactory = _ => 0 };
    private static readonly Option<string?> Data = new("--data") { Description = "Folder for the hub's state (default: $HF_HOME/hfctl/local-hub)" };
    private static readonly Option<bool> InMemory = new("--in-memory") { Description = "Keep no state: a temporary folder removed on exit" };
    private static readonly Option<string?> Config = new("--config") { Description = "JSON file of users, organisations and tokens to seed" };
    private static readonly Option<string?> Faults = new("--faults")
    {
        Description = "Inject failures, e.g. rate=0.1,kinds=500+429+drop+truncate+slow+late,seed=42[,methods=GET+PUT][,paths=/lfs-storage] (for resilience tests)",
    };

    private static readonly Option<string?> RateLimit = new("--rate-limit")
    {
        Description = "Per-caller quotas as the Hub's rate limits, e.g. api=1000,resolvers=5000[,window=300] (429 with RateLimit headers past them)",
    };

    private static readonly Option<string?> Bandwidth = new("--bandwidth")
    {
        Description = "Emulate a link: request and response bodies each at most this rate over all connections, e.g. 100mbit, 12.5MB/s, 512KiB",
    };

    public static Command Create(App app)
    {
        var command = new Command("serve", "Serve the local hub on loopback until Ctrl-C") { Port, Data, InMemory, Config, Faults, RateLimit, Bandwidth };
        command.SetAction(app.Handler(RunAsync, capOutput: false));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var port = context.ParseResult.GetValue(Port);
        if (port is < 0 or > 65535)
        {
            throw new UsageException($"--port must be between 0 and 65535, not {port}");
        }
        var inMemory = context.ParseResult.GetValue(InMemory);
        var data = context.ParseResult.GetValue(Data);
        if (inMemory && data is not null)
        {
            throw new UsageException("--in-memory and --data cannot be used together");
        }
        if (data is { Length: 0 })
        {
            throw new UsageException("--data cannot be empty: give the folder for the hub's state (or --in-memory)");
        }
        var options = new LocalHubOptions
        {
            Port = port,
            DataDirectory = inMemory ? null : Path.GetFullPath(data ?? context.LocalHubDirectory),
        };
        if (context.ParseResult.GetValue(Faults) is { } faults)
        {
            try
            {
                options.Faults = HfHub.LocalHub.Faults.FaultOptions.Parse(faults);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new UsageException($"--faults: {e.Message}");
            }
        }
        if (context.ParseResult.GetValue(RateLimit) is { } rateLimit)
        {
            try
            {
                options.RateLimits = HfHub.LocalHub.Faults.RateLimitOptions.Parse(rateLimit);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--rate-limit: {e.Message}");
            }
        }
        if (context.ParseResult.GetValue(Bandwidth) is { } bandwidth)
        {
            try
            {
                options.Bandwidth = HfHub.LocalHub.Faults.BandwidthOptions.Parse(bandwidth);
            }
            catch (FormatException e)
            {
                throw new UsageException($"--bandwidth: {e.Message}");
            }
        }
        if (context.ParseResult.GetValue(Config) is { } configPath)
        {
            foreach (var seed in ReadConfig(configPath))
            {
                options.Seed.Add(seed);
            }
        }
        await using var hub = await LocalHubServer.StartAsync(options, cancellationToken).ConfigureAwait(false);
        var endpoint = hub.Endpoint.ToString().TrimEnd('/');
        if (options.DataDirectory is { } state)
        {
            // So that '--local' commands on this state use this hub instead of embedding one.
            LocalHubDiscovery.Write(state, new LocalHubServeInfo(endpoint, Environment.ProcessId, hub.DemoToken));
        }
        context.Console.Out.WriteLine($"HF_ENDPOINT={endpoint} HF_TOKEN={hub.DemoToken}");
        context.Console.Out.WriteLine($"HFCTL_LOCALHUB_ADMIN={hub.AdminSecret}");
        context.Console.Err.WriteLine($"local hub listening on {endpoint} (state: {options.DataDirectory ?? "temporary"}); Ctrl-C to stop");
        await context.Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or SIGTERM: stop cleanly.
        }
        finally
        {
            if (options.DataDirectory is { } served)
            {
                LocalHubDiscovery.Remove(served);
            }
        }
        context.Console.Err.WriteLine("local hub stopped");
        return ExitCodes.Ok;
    }

    private static IReadOnlyList<SeedUser> ReadConfig(string path)
    {
        try
        {
            return LocalHubOptions.ReadSeedFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new UsageException($"cannot read --config {path}: {e.Message}");
        }
    }
}
