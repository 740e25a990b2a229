using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Spaces;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Services;

/// <summary>The answer to a repo creation.</summary>
internal sealed record RepoCreatedBody(string Url, string Name, string Id);

/// <summary>A repo's settings as <c>PUT …/settings</c> answers them.</summary>
internal sealed record RepoSettingsBody(bool Private, GatedValue Gated, bool Disabled);

/// <summary>
/// Repo creation, moves and settings as the Hub does them: who may create where, the Hub's rules for
/// names and visibility, the files of a new repo, and the Spaces runtime told of new Spaces.
/// </summary>
internal sealed class RepoService(HubState state, CommitService commits)
{
    /// <summary>The <c>.gitattributes</c> the Hub puts in every new repo (LFS for common ML and archive formats).</summary>
    public const string DefaultGitAttributes = """
        *.7z filter=lfs diff=lfs merge=lfs -text
        *.arrow filter=lfs diff=lfs merge=lfs -text
        *.bin filter=lfs diff=lfs merge=lfs -text
        *.bz2 filter=lfs diff=lfs merge=lfs -text
        *.ckpt filter=lfs diff=lfs merge=lfs -text
        *.ftz filter=lfs diff=lfs merge=lfs -text
        *.gz filter=lfs diff=lfs merge=lfs -text
        *.h5 filter=lfs diff=lfs merge=lfs -text
        *.joblib filter=lfs diff=lfs merge=lfs -text
        *.lfs.* filter=lfs diff=lfs merge=lfs -text
        *.mlmodel filter=lfs diff=lfs merge=lfs -text
        *.model filter=lfs diff=lfs merge=lfs -text
        *.msgpack filter=lfs diff=lfs merge=lfs -text
        *.npy filter=lfs diff=lfs merge=lfs -text
        *.npz filter=lfs diff=lfs merge=lfs -text
        *.onnx filter=lfs diff=lfs merge=lfs -text
        *.ot filter=lfs diff=lfs merge=lfs -text
        *.parquet filter=lfs diff=lfs merge=lfs -text
        *.pb filter=lfs diff=lfs merge=lfs -text
        *.pickle filter=lfs diff=lfs merge=lfs -text
        *.pkl filter=lfs diff=lfs merge=lfs -text
        *.pt filter=lfs diff=lfs merge=lfs -text
        *.pth filter=lfs diff=lfs merge=lfs -text
        *.rar filter=lfs diff=lfs merge=lfs -text
        *.safetensors filter=lfs diff=lfs merge=lfs -text
        saved_model/**/* filter=lfs diff=lfs merge=lfs -text
        *.tar.* filter=lfs diff=lfs merge=lfs -text
        *.tar filter=lfs diff=lfs merge=lfs -text
        *.tflite filter=lfs diff=lfs merge=lfs -text
        *.tgz filter=lfs diff=lfs merge=lfs -text
        *.wasm filter=lfs diff=lfs merge=lfs -text
        *.xz filter=lfs diff=lfs merge=lfs -text
        *.zip filter=lfs diff=lfs merge=lfs -text
        *.zst filter=lfs diff=lfs merge=lfs -text
        *tfevents* filter=lfs diff=lfs merge=lfs -text

        """;

    /// <summary>Datasets also track media and data-file formats.</summary>
    public const string DatasetGitAttributes = """
        *.lz4 filter=lfs diff=lfs merge=lfs -text
        *.mds filter=lfs diff=lfs merge=lfs -text
        # Audio files - uncompressed
        *.pcm filter=lfs diff=lfs merge=lfs -text
        *.sam filter=lfs diff=lfs merge=lfs -text
        *.raw filter=lfs diff=lfs merge=lfs -text
        # Audio files - compressed
        *.aac filter=lfs diff=lfs merge=lfs -text
        *.flac filter=lfs diff=lfs merge=lfs -text
        *.mp3 filter=lfs diff=lfs merge=lfs -text
        *.ogg filter=lfs diff=lfs merge=lfs -text
        *.wav filter=lfs diff=lfs merge=lfs -text
        # Image files - uncompressed
        *.bmp filter=lfs diff=lfs merge=lfs -text
        *.gif filter=lfs diff=lfs merge=lfs -text
        *.png filter=lfs diff=lfs merge=lfs -text
        *.tiff filter=lfs diff=lfs merge=lfs -text
        # Image files - compressed
        *.jpg filter=lfs diff=lfs merge=lfs -text
        *.jpeg filter=lfs diff=lfs merge=lfs -text
        *.webp filter=lfs diff=lfs merge=lfs -text
        # Video files - compressed
        *.mp4 filter=lfs diff=lfs merge=lfs -text
        *.webm filter=lfs diff=lfs merge=lfs -text

        """;

    /// <summary>Creates the repo a <c>POST /api/repos/create</c> body names, for a signed-in <paramref name="caller"/>.</summary>
    public async Task<HubResult<RepoCreatedBody>> CreateAsync(HubCaller caller, Account user, JsonElement body, CancellationToken cancellationToken)
    {
        var (type, ns, name) = RepoLookup.TargetOf(body, user.Name);
        if (type is null)
        {
            return HubError.BadRequest("type must be one of model, dataset, space");
        }
        if (!RepoNames.IsValid(name))
        {
            return HubError.BadRequest("Invalid repo name: use letters, digits, '-', '_' or '.', at most 96 characters, not starting or ending with '-' or '.', without '--' or '..', not ending with '.git'");
        }
        var isPrivate = body.Bool("private");
        var visibility = body.String("visibility");
        if (isPrivate is not null && visibility is not null)
        {
            return HubError.BadRequest("Specify either private or visibility, not both");
        }
        if (visibility is not (null or "public" or "private" or "protected") || (visibility == "protected" && type != "space"))
        {
            return HubError.BadRequest("visibility must be public or private (or protected, for Spaces)");
        }
        // "protected" Spaces run publicly but keep their files private; files are what this hub guards.
        var makePrivate = isPrivate ?? visibility is "private" or "protected";
        var sdk = body.String("sdk");
        if (type == "space" && sdk is not ("gradio" or "docker" or "static" or "streamlit"))
        {
            return HubError.BadRequest("sdk must be one of gradio, docker, static (streamlit is deprecated) for a Space");
        }
        if (type != "space")
        {
            sdk = null;
        }
        if (state.Accounts.Find(ns) is not { } owner || !state.Access.OwnsNamespace(caller, ns))
        {
            return HubError.Forbidden($"You don't have the rights to create a {type} under the namespace \"{ns}\"");
        }
        ns = owner.Name; // the account's own spelling, whatever case the request used
        if (!caller.CanWrite)
        {
            return HubError.Forbidden("You have read access but not the required permissions for this operation (a write token is needed).");
        }
        var hooks = type == "space" ? state.SpaceHooks : null;
        if (hooks?.ValidateCreate(body, caller) is { } invalid)
        {
            return HubError.BadRequest(invalid);
        }
        var prefix = type == "model" ? "" : type + "s/";
        var existing = state.Repos.Find(type, ns, name);
        if (existing is not null)
        {
            return HubError.Conflict($"You already created this {type} repo", RepoRoutes.Url(state, prefix, existing.FullName));
        }
        // A template (the repo id of an official template Space) seeds the files; `sdk` still sets the card.
        List<GitFile>? templateFiles = null;
        if (type == "space" && body.String("template") is { } template)
        {
            if (state.SpaceTemplates.Find(template) is not { } entry || !state.Access.CanRead(caller, entry.Space))
            {
                return HubError.BadRequest($"Invalid template: '{template}' is not a Space template (see GET /api/spaces/templates)");
            }
            templateFiles = SpaceRepoFiles.MainFiles(state.Git, entry.Space) ?? [];
        }
        var files = await InitialFilesAsync(type, name, sdk, body, cancellationToken, templateFiles).ConfigureAwait(false);
        if (files is null)
        {
            return HubError.BadRequest("files must be [{path, content, encoding: base64|utf-8}] with valid paths");
        }
        var repo = state.Repos.Create(type, ns, name, makePrivate, sdk, owner);
        if (repo is null)
        {
            existing = state.Repos.Find(type, ns, name)!;
            return HubError.Conflict($"You already created this {type} repo", RepoRoutes.Url(state, prefix, existing.FullName));
        }
        if (templateFiles is not null)
        {
            SpaceRepoFiles.AdoptLfs(state.Git, repo, files);
        }
        state.Git.Commit(repo.Id, "refs/heads/" + GitStore.DefaultBranch, null, null, files, user.Name, "initial commit", "");
        if (hooks is not null)
        {
            hooks.OnCreated(repo, body);
        }
        return new RepoCreatedBody(RepoRoutes.Url(state, prefix, repo.FullName), repo.FullName, repo.Id);
    }

    /// <summary>
    /// Seeds a canonical repo, one without a namespace like <c>gpt2</c> (the Hub no longer lets users
    /// create them, so only the admin API does): <c>{"type", "name", "owner", "private"?, "files"?}</c>;
    /// the owner account alone may write to it.
    /// </summary>
    public async Task<HubResult<RepoCreatedBody>> CreateCanonicalAsync(JsonElement body, CancellationToken cancellationToken)
    {
        var type = RepoLookup.TypeOf(body.String("type"));
        var name = body.String("name");
        if (type is not ("model" or "dataset") || !RepoNames.IsValid(name) || state.Accounts.Find(body.String("owner") ?? "") is not { IsOrg: false } owner)
        {
            return HubError.BadRequest("need a model or dataset type, a valid repo name and an existing user as owner");
        }
        var files = await InitialFilesAsync(type, name!, null, body, cancellationToken).ConfigureAwait(false);
        if (files is null)
        {
            return HubError.BadRequest("files must be [{path, content, encoding: base64|utf-8}] with valid paths");
        }
        var prefix = type == "model" ? "" : type + "s/";
        if (state.Repos.Create(type, "", name!, body.Bool("private") ?? false, null, owner) is not { } repo)
        {
            return HubError.Conflict($"A {type} repository called {name} already exists", RepoRoutes.Url(state, prefix, name!));
        }
        state.Git.Commit(repo.Id, "refs/heads/" + GitStore.DefaultBranch, null, null, files, owner.Name, "initial commit", "");
        return new RepoCreatedBody(RepoRoutes.Url(state, prefix, repo.FullName), repo.FullName, repo.Id);
    }

    /// <summary>
    /// The files of a new repo: the default <c>.gitattributes</c> and, for Spaces, a README card; over them
    /// a template's files, and over those the request's <c>files</c>.
    /// </summary>
    private async Task<List<GitFile>?> InitialFilesAsync(string type, string name, string? sdk, JsonElement body, CancellationToken cancellationToken, IReadOnlyList<GitFile>? templateFiles = null)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [".gitattributes"] = Encoding.UTF8.GetBytes(type == "dataset" ? DefaultGitAttributes + DatasetGitAttributes : DefaultGitAttributes),
        };
        if (type == "space")
        {
            contents["README.md"] = Encoding.UTF8.GetBytes($"""
                ---
                title: {name}
                emoji: 🚀
                colorFrom: blue
                colorTo: purple
                sdk: {sdk}
                pinned: false
                ---

                Check out the configuration reference at https://huggingface.co/docs/hub/spaces-config-reference

                """);
        }
        if (body.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array)
        {
            foreach (var file in files.EnumerateArray())
            {
                var path = file.String("path");
                var content = file.String("content") ?? "";
                if (!RepoNames.IsValidPath(path))
                {
                    return null;
                }
                try
                {
                    contents[path!] = file.String("encoding") == "base64" ? Convert.FromBase64String(content) : Encoding.UTF8.GetBytes(content);
                }
                catch (FormatException)
                {
                    return null;
                }
            }
        }
        var requested = new HashSet<string>(StringComparer.Ordinal);
        if (body.TryGetProperty("files", out var listed) && listed.ValueKind == JsonValueKind.Array)
        {
            requested.UnionWith(listed.EnumerateArray().Select(f => f.String("path")).OfType<string>());
        }
        var result = new List<GitFile>();
        var fromTemplate = (templateFiles ?? []).Where(f => !requested.Contains(f.Path)).ToList();
        result.AddRange(fromTemplate);
        foreach (var (path, bytes) in contents)
        {
            if (!fromTemplate.Any(f => f.Path == path))
            {
                result.Add(await commits.StoreRegularAsync(path, bytes, cancellationToken).ConfigureAwait(false));
            }
        }
        return result;
    }

    /// <summary>Renames or transfers the repo a <c>POST /api/repos/move</c> body names, for a signed-in <paramref name="caller"/>.</summary>
    public HubResult<UrlBody> Move(HubCaller caller, JsonElement body)
    {
        var type = RepoLookup.TypeOf(body.String("type"));
        var from = (body.String("fromRepo") ?? "").Split('/');
        var to = (body.String("toRepo") ?? "").Split('/');
        if (type is null || from.Length != 2 || to.Length != 2 || !RepoNames.IsValid(to[1]))
        {
            return HubError.BadRequest("fromRepo and toRepo must be namespace/name repo ids, with a valid new name");
        }
        var repo = state.Repos.Find(type, from[0], from[1]);
        if (repo is null || !state.Access.CanRead(caller, repo))
        {
            return HubError.RepoNotFound(caller);
        }
        if (RepoLookup.WriteRefusal(caller, state, repo) is { } refused)
        {
            return refused;
        }
        if (state.Accounts.Find(to[0]) is null || !state.Access.OwnsNamespace(caller, to[0]))
        {
            return HubError.Forbidden($"You don't have the rights to create a {type} under the namespace \"{to[0]}\"");
        }
        if (!state.Repos.Move(repo, state.Accounts.Find(to[0])!.Name, to[1]))
        {
            return new HubError(StatusCodes.Status409Conflict, $"A {type} repository called {to[0]}/{to[1]} already exists");
        }
        var prefix = type == "model" ? "" : type + "s/";
        return new UrlBody(RepoRoutes.Url(state, prefix, $"{to[0]}/{to[1]}"));
    }

    /// <summary>Applies a <c>PUT /api/{type}s/{id}/settings</c> body (visibility, gating) to a repo the caller may write.</summary>
    public HubResult<RepoSettingsBody> UpdateSettings(Repo repo, JsonElement body)
    {
        var type = repo.Type;
        var isPrivate = body.Bool("private");
        var visibility = body.String("visibility");
        if (isPrivate is not null && visibility is not null
            || visibility is not (null or "public" or "private" or "protected") || (visibility == "protected" && type != "space"))
        {
            return HubError.BadRequest("Specify private (true/false) or visibility (public, private, or protected for Spaces)");
        }
        string? gated = null;
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("gated", out var gatedValue))
        {
            gated = gatedValue.ValueKind switch
            {
                JsonValueKind.False => "false",
                JsonValueKind.String when gatedValue.GetString() is "auto" or "manual" => gatedValue.GetString(),
                _ => null,
            };
            if (gated is null)
            {
                return HubError.BadRequest("gated must be false, \"auto\" or \"manual\"");
            }
        }
        if ((isPrivate ?? (visibility is null ? null : visibility != "public")) is { } makePrivate)
        {
            state.Repos.SetPrivate(repo, makePrivate);
        }
        if (gated is not null)
        {
            state.Git.SetGated(repo.Id, gated);
        }
        repo = state.Repos.FindById(repo.Id)!;
        var settings = state.Git.Settings(repo.Id);
        return new RepoSettingsBody(repo.Private, settings.Gated == "false" ? GatedValue.Off : new GatedValue(settings.Gated), settings.Disabled);
    }
}
