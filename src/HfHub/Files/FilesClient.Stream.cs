using System.Net;
using System.Net.Http.Headers;
using HfHub.Http;
using HfHub.Repos;

namespace HfHub.Files;

public sealed partial class FilesClient
{
    /// <summary>
    /// Writes a file's raw bytes at a revision into a stream the caller owns (<c>GET …/resolve/…</c>),
    /// for content read once and kept nowhere, such as a manifest the caller verifies itself. Nothing
    /// is cached and nothing is verified here. A body cut off mid-way is resumed with <c>Range</c>
    /// from the bytes already written (the stream is never rewound), up to the client's retry limit;
    /// an error writing to <paramref name="destination"/> is not retried.
    /// </summary>
    public async Task DownloadToStreamAsync(RepoId repo, string pathInRepo, Stream destination, RepoType type = RepoType.Model, string? revision = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentException.ThrowIfNullOrEmpty(pathInRepo);
        ArgumentNullException.ThrowIfNull(destination);
        long written = 0;
        var writing = false;
        var buffer = new byte[ContentHasher.BufferSize];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, ResolveUrl(repo, pathInRepo, type, revision));
                request.Headers.AcceptEncoding.ParseAdd("identity");
                if (written > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(written, null);
                }
                using var response = await _pipeline.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                if (written > 0 && response.StatusCode != HttpStatusCode.PartialContent)
                {
                    throw new HubException($"the download of {pathInRepo} from {repo} broke off and the Hub cannot resume it; try again", (int)response.StatusCode);
                }
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    writing = true;
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    writing = false;
                    written += read;
                }
                return;
            }
            // A body that broke after its headers: resumed here from what arrived, with the pipeline's
            // budget, backoff and definition of transient. A local write error (disk full) is not retried.
            catch (Exception e) when (!writing && !cancellationToken.IsCancellationRequested && e is not HubException)
            {
                if (_pipeline.Retry.NextDelay(attempt, e) is not { } wait)
                {
                    throw RetryPolicy.IsTransient(e)
                        ? new HubConnectionException($"the download of {pathInRepo} from {repo} broke off after {written} bytes: {DisplayText.OneLine(e.Message)}", null, e)
                        : e;
                }
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
