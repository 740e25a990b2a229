using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>
/// <c>hfctl spaces secrets</c>: the seed's forms (<c>secrets &lt;space&gt; --get</c>,
/// <c>secrets &lt;space&gt; --set_key K --set_value V</c>, <c>--set-value -</c> reads stdin) and the
/// hf CLI's <c>secrets list|add|delete</c>. Values are write-only: nothing prints them.
/// </summary>
internal static class SecretsCommand
{
    private static readonly Argument<string?> Space = new("space") { Description = "The Space (seed form: secrets <space> --get | --set_key K --set_value V)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> Get = new("--get") { Description = "List the secret names (values are never shown)" };
    private static readonly Option<string?> SetKey = new("--set_key", "--set-key") { Description = "The secret to add or update" };
    private static readonly Option<string?> SetValue = new("--set_value", "--set-value") { Description = "Its value; '-' reads it from stdin (keeps it out of the process list)" };
    private static readonly Option<string?> Description = new("--description") { Description = "A description of the secret" };

    public static Command Create(App app)
    {
        var command = new Command("secrets", "List, add or delete a Space's secrets (names only are ever shown)") { Space, Get, SetKey, SetValue, Description };
        command.Subcommands.Add(ListSecrets(app));
        command.Subcommands.Add(AddSecrets(app));
        command.Subcommands.Add(DeleteSecret(app));
        command.SetAction(app.Handler(SeedFormAsync));
        return command;
    }

    private static async Task<int> SeedFormAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var space = context.ParseResult.GetValue(Space) ?? throw new UsageException("give a Space: hfctl spaces secrets <space> --get | --set_key K --set_value V (or 'secrets list <space>')");
        var key = context.ParseResult.GetValue(SetKey);
        if (key is null && !context.ParseResult.GetValue(Get))
        {
            throw new UsageException("use --get to list the secret names, or --set_key K --set_value V to set one");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, space, cancellationToken).ConfigureAwait(false);
        if (key is not null)
        {
            SpaceSettingsParser.CheckKey(key, "secret");
            var value = context.ParseResult.GetValue(SetValue);
            if (value is null or "-")
            {
                if (value is null && context.Console.IsInputTerminal)
                {
                    throw new UsageException("--set_value is required (or '--set_value -' to read it from stdin)");
                }
                value = (await context.Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).TrimEnd('\r', '\n');
            }
            await client.Spaces.SetSecretAsync(id, key, value, context.ParseResult.GetValue(Description), cancellationToken).ConfigureAwait(false);
            context.Output.Success($"Set secret {key} on {id}");
        }
        if (context.ParseResult.GetValue(Get))
        {
            await PrintAsync(context, client, id, cancellationToken).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    private static Command ListSecrets(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var command = new Command("list", "List a Space's secret names and when they changed") { space };
        command.Aliases.Add("ls");
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            await PrintAsync(context, client, id, ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command AddSecrets(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var secrets = new Option<string[]>("--secrets", "-s") { Description = "K=V, or K to take the value from the environment variable K (repeatable)" };
        var file = new Option<string?>("--secrets-file") { Description = "A .env file of secrets" };
        var command = new Command("add", "Add or update secrets") { space, secrets, file };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var settings = SpaceSettingsParser.Parse(context.ParseResult.GetValue(secrets), context.ParseResult.GetValue(file), context.Environment, "secret");
            if (settings.Count == 0)
            {
                throw new UsageException("nothing to add: give -s K=V (or K from the environment) or --secrets-file");
            }
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            foreach (var setting in settings)
            {
                await client.Spaces.SetSecretAsync(id, setting.Key, setting.Value, setting.Description, ct).ConfigureAwait(false);
                context.Output.Success($"Set secret {setting.Key} on {id}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command DeleteSecret(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var key = new Argument<string>("key") { Description = "The secret to delete" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("delete", "Delete a secret") { space, key, yes };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var name = context.ParseResult.GetValue(key)!;
            var confirmed = context.ParseResult.GetValue(yes);
            Confirmation.RefuseUnanswerable(context, confirmed, $"delete secret {name}");
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            await Confirmation.RequireAsync(context, confirmed, $"delete secret {name}", $"Delete secret {name} of {id}?", ct).ConfigureAwait(false);
            await client.Spaces.DeleteSecretAsync(id, name, ct).ConfigureAwait(false);
            context.Output.Success($"Deleted secret {name} of {id}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task PrintAsync(CommandContext context, HfHub.HubClient client, string id, CancellationToken cancellationToken)
    {
        var secrets = await client.Spaces.ListSecretsAsync(id, cancellationToken).ConfigureAwait(false);
        context.Output.WriteList([.. secrets],
        [
            new Column<SpaceSecret>("key", s => s.Key),
            new Column<SpaceSecret>("updated", s => s.UpdatedAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-"),
            new Column<SpaceSecret>("description", s => s.Description ?? ""),
        ], SpacesCliJsonContext.Default.ListSpaceSecret, "secrets");
    }
}
