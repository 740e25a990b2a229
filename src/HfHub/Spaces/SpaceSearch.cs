using System.Text.Json.Serialization;

namespace HfHub.Spaces;

/// <summary>One Space found by <see cref="SpacesClient.SearchAsync"/>, with how well it matched.</summary>
public sealed record SpaceSearchResult
{
    /// <summary><c>namespace/name</c>.</summary>
    public required string Id { get; init; }
    public string? Author { get; init; }
    /// <summary>The title of the Space's card, else its name.</summary>
    public string? Title { get; init; }
    public string? Emoji { get; init; }
    public string? Sdk { get; init; }
    public int Likes { get; init; }
    public bool Private { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public SpaceRuntime? Runtime { get; init; }
    [JsonPropertyName("ai_short_description")]
    public string? AiShortDescription { get; init; }
    [JsonPropertyName("ai_category")]
    public string? AiCategory { get; init; }
    /// <summary>0 to 1: how close the Space is to the query.</summary>
    public double? SemanticRelevancyScore { get; init; }
    public int? TrendingScore { get; init; }
}

/// <summary>Options of <see cref="SpacesClient.SearchAsync"/>.</summary>
public sealed record SpaceSearchOptions
{
    /// <summary>Only Spaces with one of these SDKs (<c>gradio</c>, <c>docker</c>, <c>static</c>…).</summary>
    public IReadOnlyList<string> Sdks { get; init; } = [];
    /// <summary>Only Spaces with all of these tags.</summary>
    public IReadOnlyList<string> Filters { get; init; } = [];
    /// <summary>Also Spaces that are not running (sleeping, paused, failed); the Hub leaves them out by default.</summary>
    public bool IncludeNonRunning { get; init; }
}
