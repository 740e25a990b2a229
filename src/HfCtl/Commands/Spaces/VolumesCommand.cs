using System.CommandLine;
using HfCtl.Cli;
using HfHub;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary>
/// <c>hfctl spaces volumes set|list|delete</c>: buckets and read-only repositories mounted in a
/// Space's container, with the <c>hf</c> CLI's <c>-v hf://[TYPE/]SOURCE[@REV][/PATH]:/MOUNT[:ro]</c>
/// syntax (the same <c>-v</c> as <c>spaces create</c> and <c>spaces duplicate</c>).
/// </summary>
internal static class VolumesCommand
{
    /// <summary>
    /// <c>-v/--volume</c>, as the <c>hf</c> CLI spells it. On the commands that take it, <c>-v</c> means
    /// a volume rather than the global <c>--verbose</c>, which keeps its long name there.
    /// </summary>
    public static Option<string[]> VolumeOption() => new("--volume", "-v")
    {
        Description = "A volume hf://[TYPE/]SOURCE[@REV][/PATH]:/MOUNT[:ro|:rw] (repeatable); TYPE is models (default), "
            + "datasets, spaces or buckets; buckets are read-write unless :ro, repositories always read-only",
    };

    /// <summary>The volumes of <c>-v</c> options, checked as a list; null when none was given.</summary>
    public static IReadOnlyList<SpaceVolume>? Parse(string[]? specs)
    {
        if (specs is not { Length: > 0 })
        {
            return null;
        }
        var volumes = new List<SpaceVolume>();
        foreach (var spec in specs)
        {
            if (!HfMount.TryParse(spec, out var mount, out var error))
            {
                throw new UsageException($"--volume: {error}");
            }
            volumes.Add(SpaceVolume.From(mount));
        }
        try
        {
            SpaceVolume.Validate(volumes);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--volume: {e.Message}");
        }
        return volumes;
    }

    public static Command Create(App app)
    {
        var command = new Command("volumes", "Set, list or delete the volumes (buckets, models, datasets, Spaces) mounted in a Space");
        command.Subcommands.Add(Set(app));
        command.Subcommands.Add(List(app));
        command.Subcommands.Add(Delete(app));
        return command;
    }

    private static Command Set(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var volume = VolumeOption();
        var command = new Command("set", "Replace a Space's volumes with the given ones (at least one; a running Space restarts)") { space, volume };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var volumes = Parse(context.ParseResult.GetValue(volume))
                ?? throw new UsageException("give at least one volume with -v hf://[TYPE/]SOURCE:/MOUNT (to remove all: spaces volumes delete)");
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            await client.Spaces.SetVolumesAsync(id, volumes, ct).ConfigureAwait(false);
            if (context.Output.Json)
            {
                Print(context, await client.Spaces.ListVolumesAsync(id, ct).ConfigureAwait(false));
                return ExitCodes.Ok;
            }
            context.Output.Success($"Set {volumes.Count} volume{(volumes.Count == 1 ? "" : "s")} on {id}: {string.Join(", ", volumes.Select(v => v.ToMountString()))}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var command = new Command("list", "List the volumes mounted in a Space") { space };
        command.Aliases.Add("ls");
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            Print(context, await client.Spaces.ListVolumesAsync(id, ct).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(App app)
    {
        var space = SpaceCli.SpaceArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("delete", "Remove all volumes from a Space (exit 5 if it has none; a running Space restarts)") { space, yes };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var confirmed = context.ParseResult.GetValue(yes);
            Confirmation.RefuseUnanswerable(context, confirmed, $"remove the volumes of {context.ParseResult.GetValue(space)}");
            var client = await context.ConnectAsync(ct).ConfigureAwait(false);
            var id = await SpaceCli.ResolveAsync(client, context.ParseResult.GetValue(space)!, ct).ConfigureAwait(false);
            // The Hub answers 400 when there is nothing to delete: asked first, that is a plain "not found".
            var volumes = await client.Spaces.ListVolumesAsync(id, ct).ConfigureAwait(false);
            if (volumes.Count == 0)
            {
                throw new CommandFailedException($"{id} has no volumes: nothing deleted", ExitCodes.NotFound);
            }
            await Confirmation.RequireAsync(context, confirmed, $"remove the volumes of {id}",
                $"Remove all {volumes.Count} volume{(volumes.Count == 1 ? "" : "s")} from {id}? Data in buckets stays, the Space no longer sees it.", ct).ConfigureAwait(false);
            await client.Spaces.DeleteVolumesAsync(id, ct).ConfigureAwait(false);
            context.Output.Success($"Removed the volumes of {id}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// How a volume reads in a listing or in <c>spaces info</c>; a source the Hub masks (a private repo or
    /// bucket the reader cannot see, <c>****/******</c>) is labelled "(private)", as the Hub's pages do.
    /// </summary>
    public static string Describe(SpaceVolume volume) =>
        volume.ToMountString() ?? $"{volume.Type} {volume.Source}{(volume.Source.Contains('*', StringComparison.Ordinal) ? " (private)" : "")} at {volume.MountPath} ({(volume.IsWritable ? "rw" : "ro")})";

    private static void Print(CommandContext context, IReadOnlyList<SpaceVolume> volumes) =>
        context.Output.WriteList([.. volumes],
        [
            new Column<SpaceVolume>("mount", v => v.MountPath),
            new Column<SpaceVolume>("type", v => v.Type.Value),
            new Column<SpaceVolume>("source", v => v.Source),
            new Column<SpaceVolume>("revision", v => v.Revision ?? ""),
            new Column<SpaceVolume>("path", v => v.Path ?? ""),
            new Column<SpaceVolume>("mode", v => v.IsWritable ? "rw" : "ro"),
        ], SpacesCliJsonContext.Default.ListSpaceVolume, "volumes");
}
