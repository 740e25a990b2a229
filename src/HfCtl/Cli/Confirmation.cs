namespace HfCtl.Cli;

/// <summary>
/// The one confirmation of every destructive command, as <c>gh</c> does it: with <c>-y</c>/<c>--yes</c>
/// it goes ahead; on a terminal it asks (default no); without a terminal nobody can answer, so it
/// refuses (exit 2) and names the flag, rather than deleting on behalf of a script that never asked.
/// An agent is never asked, even on a terminal (agent mode): it gets the same refusal, in one line.
/// </summary>
internal static class Confirmation
{
    /// <summary>
    /// Refuses at once (exit 2) when no confirmation can come: no <c>--yes</c> and stdin is not a
    /// terminal. Commands call it before any request, so a script learns of the flag without a round trip.
    /// <paramref name="action"/> completes "refusing to …" (e.g. "delete the Space me/web").
    /// </summary>
    public static void RefuseUnanswerable(CommandContext context, bool yes, string action)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!yes && context.Output.Settings.Agent)
        {
            throw new UsageException($"refusing to {action} without confirmation: agent mode never prompts, pass -y (or --yes) to confirm");
        }
        if (!yes && !context.Console.IsInputTerminal)
        {
            throw new UsageException($"refusing to {action} without confirmation: stdin is not a terminal, pass -y (or --yes) to confirm");
        }
    }

    /// <summary>Returns when the user agreed (or passed <c>--yes</c>); throws otherwise, before anything was changed.</summary>
    public static async Task RequireAsync(CommandContext context, bool yes, string action, string question, CancellationToken cancellationToken)
    {
        RefuseUnanswerable(context, yes, action);
        if (yes)
        {
            return;
        }
        context.Console.Err.Write($"{question} [y/N] ");
        await context.Console.Err.FlushAsync(cancellationToken).ConfigureAwait(false);
        var answer = (await context.Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.Trim();
        if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
        {
            throw new CommandFailedException("cancelled: nothing was deleted", ExitCodes.Error);
        }
    }
}
