namespace HfHub.Spaces;

/// <summary>
/// An official Space template (<see cref="SpacesClient.ListTemplatesAsync"/>): a new Space created with
/// <see cref="SpaceCreateOptions.Template"/> set to its <see cref="RepoId"/> starts from its files.
/// </summary>
public sealed record SpaceTemplate
{
    /// <summary>The short name, such as <c>JupyterLab</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The template Space, such as <c>SpacesExamples/jupyterlab</c>.</summary>
    public required string RepoId { get; init; }
    /// <summary>The SDK it is built with; a Space made from it must use the same.</summary>
    public string Sdk { get; init; } = "";
    /// <summary>Spaces made from it should be private unless the user says otherwise (as the Hub's page does).</summary>
    public bool PreferredPrivate { get; init; }
}

/// <summary>The body of <c>GET /api/spaces/templates</c>.</summary>
internal sealed record SpaceTemplateList(List<SpaceTemplate>? Templates);
