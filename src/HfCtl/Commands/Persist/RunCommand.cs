using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using HfCtl.Cli;
using HfHub.Persistence;

namespace HfCtl.Commands.Persist;

/// <summary>
/// <c>hfctl persist run [--every 5m] &lt;local&gt;=&lt;remote&gt;... -- &lt;app command&gt;</c>: owns the app's
/// whole lifecycle, so no shell script can get it wrong (Litestream's <c>replicate -exec</c>).
/// Restores each file (nothing to restore on a first boot is fine; a file that is already there is
/// kept), starts the app as a child process (argv as given, no shell, the environment inherited),
/// saves every interval while it runs (a file the app has not created yet is waited for), forwards
/// SIGTERM and SIGINT to it, waits for it to exit, makes a final save and exits with the app's code.
/// </summary>
internal static class RunCommand
{
    /// <summary>What a shell answers for a command it cannot run; the app never started.</summary>
    public const int CannotStart = 127;

    private static readonly Argument<string[]> Words = new("mapping-and-command")
    {
        Description = "<local>=<remote> pairs (a remote ending in '/' is a folder: the local file's name is added), then '--' and the app's command",
        Arity = ArgumentArity.OneOrMore,
    };
    private static readonly Option<string> Every = new("--every") { Description = "How often to save what changed while the app runs: 30s, 5m, 1h", DefaultValueFactory = _ => "5m" };
    private static readonly Option<bool> Force = new("--force") { Description = "Replace the remote version even if this file never restored or saved it" };
    private static readonly Option<int?> Keep = new("--keep") { Description = PersistCommands.KeepDescription };

    public static Command Create(App app)
    {
        var command = new Command("run", "Restore files, run an app, save them while it runs and once more when it exits (SIGTERM/SIGINT are passed to the app)")
        {
            Words, Every, Force, Keep,
        };
        command.SetAction(app.Handler(RunAsync, capOutput: false));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var (mappings, argv) = Split(context.ParseResult);
        var every = Duration.Parse(context.ParseResult.GetValue(Every), "--every");
        var keep = context.ParseResult.GetValue(Keep);
        if (keep is < 1)
        {
            throw new UsageException("--keep must be at least 1");
        }
        // The app inherits this process's environment, so it is found in this process's PATH.
        var executable = ResolveExecutable(argv[0], System.Environment.GetEnvironmentVariable("PATH"))
            ?? throw new CommandFailedException($"cannot start '{argv[0]}': no such program (in PATH or as a path); nothing was restored", CannotStart);
        var err = context.Console.Err;
        using var manager = await PersistCommands.ConnectAsync(context, cancellationToken, o => o.KeepVersions = keep).ConfigureAwait(false);

        foreach (var (local, remote) in mappings)
        {
            var restored = await manager.RestoreAsync(remote, local, new RestoreOptions { IfLocalMissing = true, IfRemoteExists = true }, cancellationToken).ConfigureAwait(false);
            err.WriteLine(restored.Outcome switch
            {
                RestoreOutcome.Restored => $"persist: restored {manager.Target}:{remote} at {PersistCommands.VersionName(manager, restored.Version)} to {local} ({PersistCommands.Size(restored.Size)}, sha256 verified)",
                RestoreOutcome.SkippedLocalExists => $"persist: {local} exists; kept it (saves go on from the version it last restored or saved)",
                _ => $"persist: {manager.Target}:{remote} does not exist yet (first boot); nothing to restore",
            });
        }

        var info = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        // The handlers are in place before the app starts, and the start is under the same lock: a signal
        // either comes before it (the app is not started at all) or after it (passed on), never lost.
        var signalGate = new Lock();
        Process? child = null;
        var stopping = 0;
        void Forward(PosixSignalContext signal)
        {
            // hfctl stays up to make the final save; the app decides how to stop.
            signal.Cancel = true;
            // Ctrl-C on a terminal already reached the app (same process group): a second SIGINT would
            // interrupt its own clean-up. A SIGINT sent to hfctl alone (kill -INT, no terminal) is passed on.
            var forward = signal.Signal != PosixSignal.SIGINT || !context.TerminalConsole.IsInputTerminal;
            lock (signalGate)
            {
                if (child is null)
                {
                    return; // not started: the check below sees the cancelled token and does not start it
                }
                if (Interlocked.Exchange(ref stopping, 1) == 0)
                {
                    err.WriteLine($"persist: {signal.Signal}: {(forward ? $"passing it to the app (pid {child.Id})" : "the app got it from the terminal")}; saving once more when it exits");
                }
                if (forward)
                {
                    Signal(child, signal.Signal);
                }
            }
        }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Forward);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Forward);
        lock (signalGate)
        {
            // hfctl's own handler cancels the token on every SIGTERM/SIGINT, including one that came after
            // the restore and before these handlers existed: stopped before the app started, nothing to run or save.
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                child = Process.Start(info) ?? throw new CommandFailedException($"cannot start '{argv[0]}'", CannotStart);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new CommandFailedException($"cannot start '{argv[0]}': {e.Message}", CannotStart);
            }
        }
        using var _ = child;

        var sessions = new List<(string Local, string Remote, AutoSaveSession Session)>();
        var gate = new object();
        var finalSave = 0;
        foreach (var (local, remote) in mappings)
        {
            if (!File.Exists(local))
            {
                err.WriteLine($"persist: waiting for {local} to appear; saving starts once it does");
            }
            sessions.Add((local, remote, manager.StartAutoSave(local, remote, every, new AutoSaveOptions
            {
                // The final save comes after the app exits, below; a signal only goes to the app.
                FlushOnTermination = false,
                Save = new SaveOptions { Force = context.ParseResult.GetValue(Force) },
                OnSaved = result =>
                {
                    if (!result.SkippedUnchanged)
                    {
                        lock (gate)
                        {
                            err.WriteLine("persist: " + PersistCommands.Describe(manager, result));
                        }
                    }
                },
                OnError = e =>
                {
                    if (Volatile.Read(ref finalSave) == 1)
                    {
                        return; // reported once, as the error line below
                    }
                    lock (gate)
                    {
                        err.WriteLine($"persist: warning: saving {local} failed (will retry in {context.ParseResult.GetValue(Every)}): {App.Classify(e).Message}");
                    }
                },
            })));
        }

        await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var appCode = child.ExitCode;
        err.WriteLine($"persist: the app exited with code {appCode}; saving once more");
        Volatile.Write(ref finalSave, 1);

        var failures = new List<(string Local, Exception Error)>();
        foreach (var (local, remote, session) in sessions)
        {
            try
            {
                // The final save must not be cut short by the signal that stopped the app.
                await session.StopAsync(CancellationToken.None).ConfigureAwait(false);
                if (session.WaitingForFile)
                {
                    err.WriteLine($"persist: {local} was never created; nothing saved");
                }
            }
            catch (Exception e)
            {
                failures.Add((local, e));
            }
            finally
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
        if (failures.Count > 0)
        {
            var (local, error) = failures[0];
            var (code, message) = App.Classify(error);
            var more = failures.Count > 1 ? $" (and {failures.Count - 1} more file(s))" : "";
            err.WriteLine($"error: the final save of {local} failed{more}: {App.Printable(message)}");
            return appCode != 0 ? appCode : code;
        }
        return appCode;
    }

    /// <summary>
    /// The pairs before <c>--</c> and the app's argv after it. System.CommandLine gives every word to
    /// the one argument; the words after the <c>--</c> token are the app's.
    /// </summary>
    private static (List<(string Local, string Remote)> Mappings, string[] Argv) Split(ParseResult parseResult)
    {
        var words = parseResult.GetValue(Words) ?? [];
        var dash = parseResult.Tokens.ToList().FindIndex(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash);
        if (dash < 0)
        {
            throw new UsageException("no app command: put it after '--', e.g. hfctl persist run ./data.db=db/data.sqlite -- python app.py");
        }
        var commandCount = parseResult.Tokens.Count - dash - 1;
        if (commandCount == 0)
        {
            throw new UsageException("no app command after '--'");
        }
        var pairs = words[..^commandCount];
        if (pairs.Length == 0)
        {
            throw new UsageException("no file to keep: give <local>=<remote> before '--', e.g. ./data.db=db/data.sqlite");
        }
        var mappings = new List<(string Local, string Remote)>();
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == pair.Length - 1)
            {
                throw new UsageException($"invalid file mapping '{pair}': use <local>=<remote>, e.g. ./data.db=db/data.sqlite");
            }
            var local = pair[..equals];
            if (Directory.Exists(local))
            {
                throw new UsageException($"'{local}' is a directory: persist run keeps files (save a folder with 'persist save --folder')");
            }
            var remote = PersistCommands.RemoteFor(local, pair[(equals + 1)..]);
            if (mappings.Any(m => Path.GetFullPath(m.Local) == Path.GetFullPath(local) || m.Remote == remote))
            {
                throw new UsageException($"'{pair}' repeats a local file or a remote path given before");
            }
            mappings.Add((local, remote));
        }
        return (mappings, words[^commandCount..]);
    }

    /// <summary>The program to start, found the way a shell finds it: a name with a '/' as a path, else the first match in PATH.</summary>
    private static string? ResolveExecutable(string name, string? path)
    {
        if (name.Length == 0 || name.Any(char.IsControl))
        {
            throw new UsageException("invalid app command: the program name is empty or holds control characters");
        }
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }
        foreach (var folder in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }
        return null;
    }

    private static void Signal(Process child, PosixSignal signal)
    {
        if (OperatingSystem.IsWindows())
        {
            child.Kill();
            return;
        }
        // SIGINT and SIGTERM have the same numbers on Linux and macOS.
        _ = NativeMethods.Kill(child.Id, signal == PosixSignal.SIGINT ? 2 : 15);
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}
