using System.CommandLine;
using HfCtl.Cli;

namespace HfCtl.Commands.Spaces;

/// <summary>A template as <c>hfctl spaces templates</c> prints it (and as its <c>--json</c> writes it).</summary>
internal sealed record SpaceTemplateView(string Name, string RepoId, string Sdk, bool PreferredPrivate);

/// <summary><c>hfctl spaces templates</c>: the official Space templates, as <c>hf spaces templates</c>.</summary>
internal static class TemplatesCommand
{
    public static Command Create(App app)
    {
        var command = new Command("templates", "List the official Space templates (start one with: spaces create NAME --template ID)");
        command.SetAction(app.Handler(async (context, cancellationToken) =>
        {
            var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var templates = await client.Spaces.ListTemplatesAsync(cancellationToken).ConfigureAwait(false);
            var views = templates.Select(t => new SpaceTemplateView(t.Name, t.RepoId, t.Sdk, t.PreferredPrivate)).ToList();
            context.Output.WriteList(views,
            [
                new Column<SpaceTemplateView>("name", t => t.Name),
                new Column<SpaceTemplateView>("repo id", t => t.RepoId),
                new Column<SpaceTemplateView>("sdk", t => t.Sdk),
                new Column<SpaceTemplateView>("preferred private", t => t.PreferredPrivate ? "yes" : "no"),
            ], SpacesCliJsonContext.Default.ListSpaceTemplateView, "templates");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
