using System.CommandLine;
using HfCtl.Commands.Api;
using HfCtl.Commands.Auth;
using HfCtl.Commands.Completion;
using HfCtl.Commands.Download;
using HfCtl.Commands.LocalHub;
using HfCtl.Commands.Mcp;
using HfCtl.Commands.Persist;
using HfCtl.Commands.Repo;
using HfCtl.Commands.Spaces;
using HfCtl.Commands.TestConnection;
using HfCtl.Commands.Upload;
using HfHub;
using HfHub.Http;

namespace HfCtl.Cli;

/// <summary>
/// Builds the command tree and runs one invocation: parse, run, and turn every failure into one
/// line on stderr and a documented exit code (a stack trace only with <c>--verbose</c>).
/// </summary>
public sealed class App(CliConsole console, HfEnvironment environment)
{
    private static readonly Lock TreeGate = new();

    public CliConsole Console { get; } = console;
    public HfEnvironment Environment { get; } = environment;

    public static Task<int> RunAsync(string[] args, CliConsole console, HfEnvironment environment, CancellationToken cancellationToken) =>
        new App(console, environment).RunAsync(args, cancellationToken);

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ParseResult parseResult;
        // The commands' option symbols are shared statics that each tree re-attaches, so two trees
        // must not be built at once (hfctl mcp runs tool calls side by side); running them may overlap.
        lock (TreeGate)
        {
            parseResult = BuildRoot().Parse(args.Length == 0 ? ["--help"] : args);
        }
        if (parseResult.Errors.Count == 0 && OptionLikeArgument(parseResult) is { } stray)
        {
            Console.Err.WriteLine($"error: Unrecognized command or argument '{Printable(stray)}' (run '{CommandPath(parseResult)} --help' for usage; put '--' before an argument that starts with '-')");
            return UsageFailure(parseResult);
        }
        if (parseResult.Errors.Count > 0)
        {
            // Unknown tokens say the most; "required command" only when nothing else is wrong.
            var error = parseResult.Errors.FirstOrDefault(e => e.Message.Contains("Unrecognized", StringComparison.OrdinalIgnoreCase))
                ?? parseResult.Errors[0];
            // One line, like every other error: the hint rides along instead of a second line.
            Console.Err.WriteLine($"error: {Printable(ParseErrorText.Render(error.Message))} (run '{CommandPath(parseResult)} --help' for usage)");
            return UsageFailure(parseResult);
        }
        var configuration = new InvocationConfiguration
        {
            Output = Console.Out,
            Error = Console.Err,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Report(e, parseResult.GetValue(GlobalOptions.Verbose));
        }
    }

    /// <summary>Exit 2 for a command line that did not parse, with the exit-code line when an agent reads it (known without network).</summary>
    private int UsageFailure(ParseResult parseResult)
    {
        if (OutputFormats.AgentWithoutFetch(parseResult, Environment, Clock))
        {
            ExitLine(ExitCodes.Usage);
        }
        return ExitCodes.Usage;
    }

    /// <summary>
    /// An argument that looks like an option: a mistyped flag (<c>download r --inclde x</c>) would
    /// otherwise be taken as a file name by a command with optional or repeated arguments and fail
    /// later with a confusing 404, or be used as a path. Only '--name' forms: '-bad/name' reads
    /// better as an invalid repo id. Anything after '--' passes.
    /// </summary>
    private static string? OptionLikeArgument(ParseResult parseResult)
    {
        var afterDoubleDash = parseResult.Tokens.SkipWhile(t => t.Type != System.CommandLine.Parsing.TokenType.DoubleDash).ToHashSet();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            foreach (var argument in result.Children.OfType<System.CommandLine.Parsing.ArgumentResult>())
            {
                foreach (var token in argument.Tokens)
                {
                    if (token.Value.Length > 2 && token.Value.StartsWith("--", StringComparison.Ordinal) && !afterDoubleDash.Contains(token))
                    {
                        return token.Value;
                    }
                }
            }
        }
        return null;
    }

    /// <summary>The clock agent detection ages its cached registry by.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Wraps a command's body: builds its context, settles the output format, runs it, maps failures to
    /// exit codes. In agent mode a failure ends with one more line on stderr: <c>exit 5: not found</c>.
    /// </summary>
    public Func<ParseResult, CancellationToken, Task<int>> Handler(Func<CommandContext, CancellationToken, Task<int>> body) =>
        Handler(body, capOutput: true);

    /// <summary>
    /// As <see cref="Handler(Func{CommandContext, CancellationToken, Task{int}})"/>; <paramref name="capOutput"/> false
    /// for commands whose stdout is a stream or a file rather than a listing (a completion script, a server's
    /// lines, a watcher's saves): agent mode's line cap would cut what has no "rest" to ask for later.
    /// </summary>
    public Func<ParseResult, CancellationToken, Task<int>> Handler(Func<CommandContext, CancellationToken, Task<int>> body, bool capOutput) =>
        async (parseResult, cancellationToken) =>
        {
            await using var context = new CommandContext(parseResult, Console, Environment);
            int code;
            try
            {
                await context.ResolveOutputAsync(new AgentDetector(Environment, Clock), cancellationToken, capOutput).ConfigureAwait(false);
                code = await body(context, cancellationToken).ConfigureAwait(false);
            }
            catch (HubAuthenticationException e) when (context.TokenInUse is var token)
            {
                context.FinishOutput();
                Console.Err.WriteLine($"error: {Printable(token is null ? AuthMessages.NoToken : AuthMessages.Rejected(token.Location, e.Message))}");
                if (context.Verbose)
                {
                    Console.Err.WriteLine(e.ToString());
                }
                code = ExitCodes.Auth;
            }
            catch (Exception e)
            {
                context.FinishOutput();
                code = Report(e, context.Verbose);
            }
            context.FinishOutput();
            if (context.Output.Settings.Agent)
            {
                ExitLine(code);
            }
            return code;
        };

    /// <summary>What an agent reads after a failure: the exit code and its meaning (README "Exit codes").</summary>
    private void ExitLine(int code)
    {
        if (code != ExitCodes.Ok)
        {
            Console.Err.WriteLine($"exit {code}: {ExitCodes.Meaning(code)}");
        }
    }

    /// <summary>The parse errors of a command line, without running it (used to check the docs' examples).</summary>
    public IReadOnlyList<string> ParseErrors(string[] args)
    {
        lock (TreeGate)
        {
            return [.. BuildRoot().Parse(args).Errors.Select(e => e.Message)];
        }
    }

    /// <summary>The whole command tree (tests walk it to check every command is covered).</summary>
    internal RootCommand BuildRoot()
    {
        var root = new RootCommand("hfctl: the Hugging Face Hub from the command line (Spaces, files, persistence) with an embedded local hub.");
        foreach (var option in GlobalOptions.Each)
        {
            root.Options.Add(option);
        }
        root.Subcommands.Add(AuthCommands.Create(this));
        root.Subcommands.Add(LocalHubCommands.Create(this));
        root.Subcommands.Add(TestConnectionCommand.Create(this));
        root.Subcommands.Add(PersistCommands.Create(this));
        root.Subcommands.Add(RepoCommands.Create(this));
        root.Subcommands.Add(UploadCommand.Create(this));
        root.Subcommands.Add(DownloadCommand.Create(this));
        root.Subcommands.Add(SpacesCommands.Create(this));
        root.Subcommands.Add(Commands.Endpoints.EndpointsCommands.Create(this));
        root.Subcommands.Add(Commands.Buckets.BucketsCommands.Create(this));
        root.Subcommands.Add(ApiCommand.Create(this));
        root.Subcommands.Add(McpCommand.Create(this));
        root.Subcommands.Add(CompletionCommand.Create(this));
        VersionInfo.Configure(root);
        HubCompletions.Attach(root, this);
        return root;
    }

    private int Report(Exception exception, bool verbose)
    {
        var (code, message) = Classify(exception);
        Console.Err.WriteLine($"error: {Printable(message)}");
        if (verbose && code != ExitCodes.Usage)
        {
            Console.Err.WriteLine(exception.ToString());
        }
        return code;
    }

    /// <summary>Maps an exception to its exit code and one-line message.</summary>
    public static (int Code, string Message) Classify(Exception exception) => exception switch
    {
        // A failed static constructor (e.g. a native library that did not load) says nothing itself.
        TypeInitializationException { InnerException: { } inner } => Classify(inner),
        DllNotFoundException e => (ExitCodes.Error, $"a native library is missing: {FirstSentence(e.Message)} (keep the files published next to hfctl together)"),
        UsageException e => (ExitCodes.Usage, e.Message),
        CommandFailedException e => (e.ExitCode, e.Message),
        OperationCanceledException => (ExitCodes.Interrupted, "interrupted"),
        HubAuthenticationException e => (ExitCodes.Auth, WithRequestId($"authentication failed: {e.Message}", e)),
        HubNotFoundException e => (ExitCodes.NotFound, WithRequestId(e.Message, e)),
        HubForbiddenException e => (ExitCodes.Forbidden, WithRequestId($"forbidden: {e.Message}", e)),
        HubConflictException e => (ExitCodes.Conflict, WithRequestId(e.Message, e)),
        HubConnectionException e => (ExitCodes.Network, e.Message),
        HubException e => (ExitCodes.Error, WithRequestId(e.Status > 0 ? $"{e.Message} (HTTP {e.Status})" : e.Message, e)),
        ArgumentException e => (ExitCodes.Usage, ArgumentText(e)),
        IOException or UnauthorizedAccessException => (ExitCodes.Error, exception.Message),
        Microsoft.Data.Sqlite.SqliteException e => (ExitCodes.Error, $"a SQLite database could not be used: {HfHub.Persistence.SqliteFiles.ErrorText(e)}"),
        System.Text.Json.JsonException e => (ExitCodes.Error, $"a JSON document could not be read: {HfHub.Json.JsonErrorText.Describe(e)}"),
        // Never the exception's type name: it means nothing to a user; --verbose has the stack trace.
        _ => (ExitCodes.Error, $"{FirstSentence(exception.Message)} (--verbose shows where it failed)"),
    };

    /// <summary>
    /// An argument error in the user's terms: .NET appends "(Parameter 'path')" to its messages,
    /// and the one for an empty string does not say what was empty.
    /// </summary>
    internal static string ArgumentText(ArgumentException e)
    {
        var message = e.ParamName is { } name
            ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
            : e.Message;
        if (message == "The value cannot be an empty string.")
        {
            return e.ParamName is "path" or "paths" or "fileName" or "sourceFileName" or "destFileName"
                ? "a file or folder path cannot be empty"
                : "a value cannot be empty";
        }
        return message;
    }

    /// <summary>
    /// The last guard of "one line on stderr": messages quote what the user typed (or the server
    /// said), so control characters (newlines, escape sequences, NUL) become '?', lone surrogates
    /// become U+FFFD, and a huge value is cut short.
    /// </summary>
    internal static string Printable(string message) => HfHub.DisplayText.Printable(message, HfHub.DisplayText.MessageLength);

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).ReplaceLineEndings(" ");
    }

    private static string WithRequestId(string message, HubException e) =>
        e.RequestId is null ? message : $"{message} [request id {e.RequestId}]";

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }
        if (names.Count > 0)
        {
            names[0] = "hfctl";
        }
        return string.Join(' ', names);
    }
}
