using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces delete &lt;space&gt; [-y] [--missing-ok]</c>.</summary>
internal static class DeleteCommand
{
    private static readonly Argument<string> Space = SpaceCli.SpaceArgument();
    private static readonly Option<bool> Yes = new("--yes", "-y") { Description = "Do not ask for confirmation" };
    private static readonly Option<bool> MissingOk = new("--missing-ok") { Description = "Succeed if the Space does not exist" };

    public static Command Create(App app)
    {
        var command = new Command("delete", "Delete a Space and its files, secrets and variables") { Space, Yes, MissingOk };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var yes = context.ParseResult.GetValue(Yes);
        Confirmation.RefuseUnanswerable(context, yes, $"delete the Space {context.ParseResult.GetValue(Space)}");
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(Space)!, cancellationToken).ConfigureAwait(false);
        await Confirmation.RequireAsync(context, yes, $"delete the Space {id}",
            $"Delete the Space {id} with all its files, secrets and variables? This cannot be undone.", cancellationToken).ConfigureAwait(false);
        await client.Spaces.DeleteAsync(id, context.ParseResult.GetValue(MissingOk), cancellationToken).ConfigureAwait(false);
        context.Output.Success($"Deleted {id}");
        return ExitCodes.Ok;
    }
}
