using HfHub;
using HfHub.Http;
using HfHub.Repos;

namespace HfCtl.Cli;

/// <summary>
/// The one place a bare repo name (<c>brandnew</c>, no namespace) is given a namespace, for every
/// command. The rule:
/// <list type="bullet">
/// <item>Writes (create, upload, delete, Space lifecycle, secrets, …) and everything about Spaces:
/// the caller's own namespace (from <c>whoami-v2</c>). That is what <c>hf</c> does: <c>create_repo</c>
/// sends <c>organization: null</c>, which the Hub reads as the token's user, and <c>hf upload</c>
/// then uploads to the id the Hub returned. Spaces never had namespace-less ids.</item>
/// <item>Reads of models and datasets (download, repo info, repo files): the caller's own repo
/// when it exists, else the id as typed. The Hub still answers legacy canonical ids without a
/// namespace (<c>gpt2</c>, <c>squad</c>; huggingface_hub's <c>hf_hub_download("gpt2", …)</c>
/// requests <c>/gpt2/resolve/…</c> as is), so they must keep working; trying the caller's
/// namespace first keeps reads consistent with writes: after <c>hfctl upload notes f.txt</c>,
/// <c>hfctl download notes f.txt</c> reads back the same repo. Without a token there is no own
/// namespace, and the id goes as typed, exactly as <c>hf</c> sends it.</item>
/// </list>
/// </summary>
internal static class RepoResolver
{
    /// <summary>The id a write goes to: a bare name means the caller's namespace.</summary>
    public static async Task<RepoId> ForWriteAsync(HubClient client, RepoId repo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(repo);
        if (repo.Namespace is not null)
        {
            return repo;
        }
        var me = await client.WhoAmIAsync(cancellationToken).ConfigureAwait(false);
        return RepoId.Parse($"{me.Name}/{repo.Name}");
    }

    /// <summary>The id a read goes to: the caller's repo of that name when it exists, else the (possibly canonical) id as typed.</summary>
    public static async Task<RepoId> ForReadAsync(HubClient client, RepoId repo, RepoType type, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(repo);
        if (repo.Namespace is not null)
        {
            return repo;
        }
        if (type == RepoType.Space)
        {
            return await ForWriteAsync(client, repo, cancellationToken).ConfigureAwait(false);
        }
        if (client.Token is null)
        {
            return repo;
        }
        var own = await ForWriteAsync(client, repo, cancellationToken).ConfigureAwait(false);
        if (await client.Repos.ExistsAsync(own, type, cancellationToken).ConfigureAwait(false))
        {
            return own;
        }
        if (await client.Repos.ExistsAsync(repo, type, cancellationToken).ConfigureAwait(false))
        {
            return repo;
        }
        throw new HubNotFoundException($"{type.Name()} '{repo.Name}' not found: neither {own} nor a {type.Name()} '{repo.Name}' without a namespace exists", "RepoNotFound", null, null);
    }

    /// <summary>A Space id from what the user typed; a bare name means the caller's namespace.</summary>
    public static async Task<string> SpaceAsync(HubClient client, string text, CancellationToken cancellationToken) =>
        (await ForWriteAsync(client, ParseSpace(text), cancellationToken).ConfigureAwait(false)).ToString();

    /// <summary>
    /// A Space as a command names it: <c>namespace/name</c>, a bare name, or <c>hf://spaces/namespace/name</c>.
    /// Another kind of URI (a model's, a dataset's, a bucket's), a revision or a path in it is a usage error.
    /// </summary>
    /// <remarks><paramref name="noun"/> names it in the message for an invalid id (<c>Space name</c> for create).</remarks>
    public static RepoId ParseSpace(string? text, string noun = "Space id")
    {
        if (text is not null && text.StartsWith(HfUri.Scheme, StringComparison.Ordinal))
        {
            var uri = Commands.Repo.RepoArguments.ParseRepoUri(text);
            if (uri.Kind != HfUriKind.Space)
            {
                throw new UsageException($"'{text}' names a {uri.RepoType!.Value.Name()}, not a Space: write hf://spaces/namespace/name");
            }
            if (uri.Revision is not null || uri.Path.Length > 0)
            {
                throw new UsageException($"'{text}' names a revision or a path: this command takes the Space itself (hf://spaces/{uri.Id})");
            }
            return RepoId.Parse(uri.Id);
        }
        return RepoId.TryParse(text, out var id, out var error)
            ? id
            : throw new UsageException(error.Replace("repo id", noun, StringComparison.Ordinal));
    }
}
