using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Spaces;

/// <summary>
/// How the generic repo and commit routes tell the Spaces runtime about Space repos. The repo
/// routes call these for repos of type <c>space</c> only; the Spaces module implements them.
/// </summary>
internal interface ISpaceHooks
{
    /// <summary>
    /// Checks the Space options of a <c>POST /api/repos/create</c> body (sdk, hardware,
    /// sleepTimeSeconds, secrets, variables…) before anything is created; returns an error
    /// message for a 400, or null when they are fine. <paramref name="caller"/> must be able to read
    /// every volume's source.
    /// </summary>
    string? ValidateCreate(JsonElement body, HubCaller caller);

    /// <summary>A Space repo was created from this request body (apply its options, start at NO_APP_FILE).</summary>
    void OnCreated(Repo space, JsonElement body);

    /// <summary>A commit landed on a branch of a Space (the main branch drives builds).</summary>
    void OnCommitted(Repo space, string branch, string commitId, IReadOnlyList<string> changedPaths);

    /// <summary>A Space repo was deleted.</summary>
    void OnDeleted(Repo space);
}
