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
    // The seed's form, `secrets <space> --get | --set_key K --set_value V`, takes the Space before the
    // subcommands' place; hidden from help so that `secrets add --help` shows `add <space>` only.
    private static readonly Argument<string?> Space = new("space") { Description = "The Space, in the form secrets <space> --get | --set_key K --set_value V", Arity = ArgumentArity.ZeroOrOne, Hidden = true };
    private static readonly Option<bool> Get = new("--get") { Description = "List the secret names (values are never shown)" };
    private static readonly Option<string?> SetKey = new("--set_key", "--set-key") { Description = "The secret to add or update" };
    private static readonly Option<string?> SetValue = new("--set_value", "--set-value") { Description = "Its value; '-' reads it from stdin (keeps it out of the process list)" };
    private static readonly Option<string?> Description = new("--description") { Description = "A description of the secret" };
    private static readonly Option<bool> AllowEmpty = new("--allow-empty") { Description = "Accept an empty value (refused otherwise: an empty stdin is more often a mistake)" };

    public static Command Create(App app)
    {
        var command = new Command("secrets", "List, add or delete a Space's secrets (names only are ever shown); also: secrets <space> --get | --set_key K --set_value V") { Space, Get, SetKey, SetValue, Description, AllowEmpty };
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
        string? value = null;
        if (key is not null)
        {
            SpaceSettingsParser.CheckKey(key, "secret");
            // Never read stdin unasked: a script that forgot --set_value would otherwise set whatever
            // (often nothing) its stdin held.
            value = context.ParseResult.GetValue(SetValue)
                ?? throw new UsageException("--set_value is required: give the value, or '--set_value -' to read it from stdin");
            if (value is "-")
            {
                value = (await context.Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).TrimEnd('\r', '\n');
            }
            RefuseEmpty(key, value, context.ParseResult.GetValue(AllowEmpty));
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = await SpaceCli.ResolveAsync(client, space, cancellationToken).ConfigureAwait(false);
        if (key is not null)
        {
            await client.Spaces.SetSecretAsync(id, key, value!, context.ParseResult.GetValue(Description), cancellationToken).ConfigureAwait(false);
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
        var allowEmpty = new Option<bool>("--allow-empty") { Description = "Accept empty values (refused otherwise)" };
        var command = new Command("add", "Add or update secrets") { space, secrets, file, allowEmpty };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var settings = SpaceSettingsParser.Parse(context.ParseResult.GetValue(secrets), context.ParseResult.GetValue(file), context.Environment, "secret");
            if (settings.Count == 0)
            {
                throw new UsageException("nothing to add: give -s K=V (or K from the environment) or --secrets-file");
            }
            foreach (var setting in settings)
            {
                RefuseEmpty(setting.Key, setting.Value, context.ParseResult.GetValue(allowEmpty));
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
        var missingOk = new Option<bool>("--missing-ok") { Description = "Succeed (exit 0) if the Space has no such secret" };
        var command = new Command("delete", "Delete a secret (exit 5 if the Space has no such secret)") { space, key, yes, missingOk };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var name = context.ParseResult.GetValue(key)!;
            var confirmed = context.ParseResult.GetValue(yes);
            Confirmation.RefuseUnanswerable(context, confirmed, $"delete secret {name}");
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            // The Hub answers 200 {} to a DELETE of a key that never existed (recorded traffic,
            // spaces.md §8), so only the list of names can tell a deletion from a no-op.
            var secrets = await client.Spaces.ListSecretsAsync(id, ct).ConfigureAwait(false);
            if (!secrets.Any(s => s.Key == name))
            {
                return NothingToDelete(context, "secret", name, id, context.ParseResult.GetValue(missingOk));
            }
            await Confirmation.RequireAsync(context, confirmed, $"delete secret {name}", $"Delete secret {name} of {id}?", ct).ConfigureAwait(false);
            await client.Spaces.DeleteSecretAsync(id, name, ct).ConfigureAwait(false);
            context.Output.Success($"Deleted secret {name} of {id}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>An empty secret is almost always a value that did not arrive (an empty pipe, an unset variable).</summary>
    private static void RefuseEmpty(string key, string value, bool allowEmpty)
    {
        if (value.Length == 0 && !allowEmpty)
        {
            throw new UsageException($"refusing to set secret {key} to an empty value: pass --allow-empty if that is what you want");
        }
    }

    /// <summary>What a delete of a missing secret or variable says: exit 5, or a plain note with <c>--missing-ok</c>.</summary>
    internal static int NothingToDelete(CommandContext context, string noun, string key, string id, bool missingOk)
    {
        if (!missingOk)
        {
            throw new CommandFailedException($"{id} has no {noun} {key}: nothing deleted (--missing-ok to accept that)", ExitCodes.NotFound);
        }
        context.Output.Success($"{id} has no {noun} {key}: nothing to delete");
        return ExitCodes.Ok;
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
