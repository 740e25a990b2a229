using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces variables list|add|delete</c>: a Space's public environment variables.</summary>
internal static class VariablesCommand
{
    public static Command Create(App app)
    {
        var command = new Command("variables", "List, add or delete a Space's variables");
        command.Subcommands.Add(List(app));
        command.Subcommands.Add(Add(app));
        command.Subcommands.Add(Delete(app));
        return command;
    }

    private static Command List(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var command = new Command("list", "List a Space's variables with their values") { space };
        command.Aliases.Add("ls");
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            Print(context, await client.Spaces.ListVariablesAsync(id, ct).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Add(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var variables = new Option<string[]>("--env", "-e") { Description = "K=V, or K to take the value from the environment variable K (repeatable)" };
        var file = new Option<string?>("--env-file") { Description = "A .env file of variables" };
        var command = new Command("add", "Add or update variables") { space, variables, file };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var settings = SpaceSettingsParser.Parse(context.ParseResult.GetValue(variables), context.ParseResult.GetValue(file), context.Environment, "variable");
            if (settings.Count == 0)
            {
                throw new UsageException("nothing to add: give -e K=V or --env-file");
            }
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            IReadOnlyList<SpaceVariable> all = [];
            foreach (var setting in settings)
            {
                all = await client.Spaces.SetVariableAsync(id, setting.Key, setting.Value, setting.Description, ct).ConfigureAwait(false);
            }
            if (context.Output.Json)
            {
                Print(context, all);
            }
            else
            {
                context.Output.Success($"Set {string.Join(", ", settings.Select(s => s.Key))} on {id}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var key = new Argument<string>("key") { Description = "The variable to delete" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var missingOk = new Option<bool>("--missing-ok") { Description = "Succeed (exit 0) if the Space has no such variable" };
        var command = new Command("delete", "Delete a variable (exit 5 if the Space has no such variable)") { space, key, yes, missingOk };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var name = context.ParseResult.GetValue(key)!;
            var confirmed = context.ParseResult.GetValue(yes);
            Confirmation.RefuseUnanswerable(context, confirmed, $"delete variable {name}");
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            // A DELETE of a missing key still answers 200 (spaces.md §8): the list tells a deletion from a no-op.
            var variables = await client.Spaces.ListVariablesAsync(id, ct).ConfigureAwait(false);
            if (!variables.Any(v => v.Key == name))
            {
                return SecretsCommand.NothingToDelete(context, "variable", name, id, context.ParseResult.GetValue(missingOk));
            }
            await Confirmation.RequireAsync(context, confirmed, $"delete variable {name}", $"Delete variable {name} of {id}?", ct).ConfigureAwait(false);
            await client.Spaces.DeleteVariableAsync(id, name, ct).ConfigureAwait(false);
            context.Output.Success($"Deleted variable {name} of {id}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(CommandContext context, IReadOnlyList<SpaceVariable> variables) =>
        context.Output.WriteList([.. variables],
        [
            new Column<SpaceVariable>("key", v => v.Key),
            new Column<SpaceVariable>("value", v => v.Value),
            new Column<SpaceVariable>("description", v => v.Description ?? ""),
        ], SpacesCliJsonContext.Default.ListSpaceVariable, "variables");
}
