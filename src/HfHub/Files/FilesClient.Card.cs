using System.Text;
using HfHub.Repos;

namespace HfHub.Files;

public sealed partial class FilesClient
{
    /// <summary>
    /// A repo's card (its <c>README.md</c> at <paramref name="revision"/>), as <c>RepoCard.load</c> reads it;
    /// a repo without one throws <see cref="Http.HubNotFoundException"/>.
    /// </summary>
    public async Task<RepoCard> GetCardAsync(RepoId repo, RepoType type = RepoType.Model, string? revision = null, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await DownloadToStreamAsync(repo, "README.md", buffer, type, revision, cancellationToken).ConfigureAwait(false);
        return RepoCard.Parse(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
