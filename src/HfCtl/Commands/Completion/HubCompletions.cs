using System.CommandLine;
using System.CommandLine.Completions;
using System.Security.Cryptography;
using System.Text;
using HfCtl.Cli;
using HfCtl.Commands.LocalHub;
using HfHub;
using HfHub.Spaces;

namespace HfCtl.Commands.Completion;

/// <summary>
/// Completions that know the Hub: your Space names wherever a Space is taken, the Hub's hardware flavors
/// wherever one is, and the Space stages for <c>--stage</c>. Attached once to the whole tree, so a new command
/// with a <c>space</c> argument or a <c>--hardware</c> option gets them too.
/// </summary>
/// <remarks>
/// A completion must never make the shell wait: the Hub is asked at most once per <see cref="SpacesFresh"/>
/// (flavors once a day), with a <see cref="AskTimeout"/> limit, and the answer is kept in
/// <c>$HF_HOME/hfctl/completion/</c> under a name derived from the endpoint and a hash of the token, so a
/// different account never sees another's list and the token itself is never written. Any failure (offline,
/// no token, a slow Hub) completes nothing rather than printing an error into the shell. With <c>--local</c>,
/// names come from a running <c>hfctl local-hub serve</c>; no hub is started just to complete a word.
/// </remarks>
internal static class HubCompletions
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SpacesFresh = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan FlavorsFresh = TimeSpan.FromDays(1);

    private static readonly string[] Stages =
    [
        SpaceStage.Running, SpaceStage.Building, SpaceStage.BuildError, SpaceStage.RuntimeError, SpaceStage.ConfigError,
        SpaceStage.NoAppFile, SpaceStage.Sleeping, SpaceStage.Paused, SpaceStage.Stopped, SpaceStage.AppStarting,
        SpaceStage.RunningBuilding, SpaceStage.RunningAppStarting, SpaceStage.Deleting,
    ];

    // Some commands share one symbol across the trees built for each run, so a source is added to a symbol once
    // and finds the run's App through the root command of the line being completed.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Symbol, object> Attached = [];
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, App> Apps = [];
    private static readonly Lock Gate = new();

    /// <summary>Adds the Hub's completions to every Space argument, hardware option and stage option under <paramref name="root"/>.</summary>
    public static void Attach(RootCommand root, App app)
    {
        Apps.AddOrUpdate(root, app);
        foreach (var option in root.Options.OfType<System.CommandLine.Help.HelpOption>())
        {
            // DOS-style spellings mean nothing in a Unix shell and only clutter every completion list.
            foreach (var alias in new[] { "/?", "/h", "-?" })
            {
                option.Aliases.Remove(alias);
            }
        }
        Walk(root);
    }

    private static void Walk(Command command)
    {
        foreach (var argument in command.Arguments.Where(a => a.Name == "space" && FirstTime(a)))
        {
            argument.CompletionSources.Add(context => WithApp(context, SpaceNames));
        }
        foreach (var option in command.Options)
        {
            if ((option.Name is "--hardware" || (option.Name == "--set" && command.Name == "hardware")) && FirstTime(option))
            {
                option.CompletionSources.Add(context => WithApp(context, Flavors));
            }
            else if (option.Name == "--stage" && FirstTime(option))
            {
                option.CompletionSources.Add(_ => Stages.Select(s => new CompletionItem(s)));
            }
        }
        foreach (var child in command.Subcommands)
        {
            Walk(child);
        }
    }

    private static bool FirstTime(Symbol symbol)
    {
        lock (Gate)
        {
            return Attached.TryAdd(symbol, Apps);
        }
    }

    private static IEnumerable<CompletionItem> WithApp(CompletionContext context, Func<CompletionContext, App, IEnumerable<CompletionItem>> source) =>
        Apps.TryGetValue(context.ParseResult.RootCommandResult.Command, out var app) ? source(context, app) : [];

    private static IEnumerable<CompletionItem> SpaceNames(CompletionContext context, App app) =>
        Cached(context, app, "spaces", SpacesFresh, async (client, cancellationToken) =>
        {
            var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
            var names = new List<string>();
            await foreach (var space in client.Spaces.ListAsync(new SpaceListOptions { Author = me.Name, WithRuntime = false, Limit = 500 }, cancellationToken).ConfigureAwait(false))
            {
                // Both spellings a Space argument takes: the full id, and the bare name of your own namespace.
                names.Add(space.Id);
                names.Add(space.Id[(space.Id.IndexOf('/', StringComparison.Ordinal) + 1)..]);
            }
            return names;
        });

    private static IEnumerable<CompletionItem> Flavors(CompletionContext context, App app) =>
        Cached(context, app, "hardware", FlavorsFresh, async (client, cancellationToken) =>
            [.. (await client.Spaces.ListHardwareAsync(cancellationToken).ConfigureAwait(false)).Select(f => f.Name)]);

    private static IEnumerable<CompletionItem> Cached(CompletionContext completion, App app, string kind, TimeSpan fresh, Func<HubClient, CancellationToken, Task<List<string>>> ask)
    {
        var folder = Path.Combine(app.Environment.HfHome, "hfctl", "completion");
        try
        {
            return Ask(completion.ParseResult, app, kind, folder, fresh, ask).Distinct(StringComparer.Ordinal).Select(line => new CompletionItem(line));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }

    private static List<string> Ask(ParseResult parseResult, App app, string kind, string folder, TimeSpan fresh, Func<HubClient, CancellationToken, Task<List<string>>> ask)
    {
        using var timeout = new CancellationTokenSource(AskTimeout);
        return Task.Run(async () =>
        {
            await using var context = new CommandContext(parseResult, app.Console, app.Environment);
            if (context.UsesLocalHub && await LocalHubDiscovery.FindAsync(context.LocalHubDirectory, timeout.Token).ConfigureAwait(false) is null)
            {
                return [];
            }
            var client = await context.ConnectAsync(timeout.Token).ConfigureAwait(false);
            var file = Path.Combine(folder, CacheKey(kind, client));
            if (File.Exists(file) && app.Clock.GetUtcNow() - File.GetLastWriteTimeUtc(file) < fresh)
            {
                return [.. await File.ReadAllLinesAsync(file, timeout.Token).ConfigureAwait(false)];
            }
            var lines = await ask(client, timeout.Token).ConfigureAwait(false);
            Directory.CreateDirectory(folder);
            var temporary = $"{file}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllLinesAsync(temporary, lines, timeout.Token).ConfigureAwait(false);
            File.Move(temporary, file, overwrite: true);
            return lines;
        }, timeout.Token).WaitAsync(AskTimeout).GetAwaiter().GetResult();
    }

    /// <summary><c>spaces-&lt;16 hex&gt;</c>: one file per endpoint and account; the token goes in only through a hash.</summary>
    private static string CacheKey(string kind, HubClient client)
    {
        var identity = $"{client.Options.Endpoint}\n{client.Token?.Token.Reveal() ?? ""}";
        return $"{kind}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16]}";
    }
}
