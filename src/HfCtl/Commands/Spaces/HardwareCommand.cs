using System.CommandLine;
using HfCtl.Cli;
using HfHub.Spaces;

namespace HfCtl.Commands.Spaces;

/// <summary><c>hfctl spaces hardware [&lt;space&gt;] [--set F] [--list]</c>: a Space's hardware, a new flavor, or the flavor list.</summary>
internal static class HardwareCommand
{
    private static readonly Argument<string?> Space = new("space") { Description = "The Space (omit with --list)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> Set = new("--set") { Description = "Request this hardware flavor (the Space rebuilds on it)" };
    private static readonly Option<bool> List = new("--list") { Description = "List the hardware flavors" };

    public static Command Create(App app)
    {
        var command = new Command("hardware", "Show or change a Space's hardware, or list the flavors") { Space, Set, List };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var space = context.ParseResult.GetValue(Space);
        var flavor = context.ParseResult.GetValue(Set);
        if (space is null && flavor is not null)
        {
            throw new UsageException("--set needs a Space: hfctl spaces hardware <space> --set FLAVOR");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (space is null || context.ParseResult.GetValue(List))
        {
            var flavors = await client.Spaces.ListHardwareAsync(cancellationToken).ConfigureAwait(false);
            context.Output.WriteList([.. flavors],
            [
                new Column<SpaceHardwareFlavor>("name", f => f.Name),
                new Column<SpaceHardwareFlavor>("description", f => f.PrettyName ?? ""),
                new Column<SpaceHardwareFlavor>("cpu", f => f.Cpu ?? ""),
                new Column<SpaceHardwareFlavor>("ram", f => f.Ram ?? ""),
                new Column<SpaceHardwareFlavor>("accelerator", f => f.Accelerator is { } a ? $"{a.Quantity}x {a.Model} {a.Vram}" : "-"),
                new Column<SpaceHardwareFlavor>("price", f => f.UnitCostUsd is { } c ? $"${c:0.00}/{f.UnitLabel ?? "hour"}" : "-"),
            ], SpacesCliJsonContext.Default.ListSpaceHardwareFlavor, "flavors");
            return ExitCodes.Ok;
        }
        var id = await SpaceCli.ResolveAsync(client, space, cancellationToken).ConfigureAwait(false);
        var runtime = flavor is null
            ? await client.Spaces.GetRuntimeAsync(id, cancellationToken).ConfigureAwait(false)
            : await client.Spaces.RequestHardwareAsync(id, flavor, null, cancellationToken).ConfigureAwait(false);
        if (context.Output.Json)
        {
            context.Output.WriteJson(new SpaceHardwareView(id, runtime.Hardware.Current, runtime.Hardware.Requested, runtime.Stage), SpacesCliJsonContext.Default.SpaceHardwareView);
            return ExitCodes.Ok;
        }
        if (flavor is not null)
        {
            context.Output.Success($"Requested {flavor} for {id}; it runs on {runtime.Hardware.Current ?? "nothing"} until the rebuild finishes ({runtime.Stage})");
            return ExitCodes.Ok;
        }
        context.Output.WriteRecord([("current", runtime.Hardware.Current ?? "none"), ("requested", runtime.Hardware.Requested ?? "none")]);
        return ExitCodes.Ok;
    }
}
