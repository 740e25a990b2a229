using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using HfHub.LocalHub.Api;
using HfHub.LocalHub.Store;
using Microsoft.AspNetCore.Http;

namespace HfHub.LocalHub.Services;

/// <summary>A commit as its NDJSON body asks for it: the header's fields and the operations in order.</summary>
internal sealed record CommitRequest(string Summary, string Description, string? ParentCommit, IReadOnlyList<CommitOperation> Operations);

/// <summary>One operation of a commit body.</summary>
internal abstract record CommitOperation(string Path);

/// <summary>A file added or replaced (<c>file</c>, its bytes already stored; or <c>lfsFile</c>, a pointer to an uploaded object).</summary>
internal sealed record PutFile(GitFile File) : CommitOperation(File.Path);

/// <summary><c>deletedFile</c>: a file, or a folder named without its trailing slash.</summary>
internal sealed record DeleteFile(string Path) : CommitOperation(Path);

/// <summary><c>deletedFolder</c>: everything under a folder ("" for the whole repo).</summary>
internal sealed record DeleteFolder(string Path) : CommitOperation(Path);

/// <summary>
/// Reads the body of <c>POST /api/{type}s/{id}/commit/{rev}</c>: NDJSON, a header line then one line
/// per operation, checked line by line (paths, encodings, sizes, that LFS objects were uploaded),
/// with regular files' bytes stored as they come.
/// </summary>
internal sealed class CommitBodyReader(HubState state, CommitService commits)
{
    private sealed class BadCommitException(string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
    {
        public int Status { get; } = status;
    }

    /// <summary>
    /// Reads the NDJSON body line by line (both "\n"-terminated and unterminated last lines), storing
    /// regular files' bytes as it goes, so only one line is in memory at a time.
    /// </summary>
    public async Task<HubResult<CommitRequest>> ReadAsync(Repo repo, PipeReader body, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadOperationsAsync(repo, body, cancellationToken).ConfigureAwait(false);
        }
        catch (BadCommitException e)
        {
            return new HubError(e.Status, e.Message);
        }
        catch (JsonException)
        {
            return HubError.BadRequest("Each line of the body must be a JSON object {\"key\": …, \"value\": {…}}");
        }
        catch (LineTooLongException e)
        {
            return new HubError(StatusCodes.Status413PayloadTooLarge, e.Message);
        }
    }

    private async Task<CommitRequest> ReadOperationsAsync(Repo repo, PipeReader body, CancellationToken cancellationToken)
    {
        string? summary = null, description = null, parentCommit = null;
        var operations = new List<CommitOperation>();
        var first = true;
        await foreach (var read in ReadLinesAsync(body, cancellationToken).ConfigureAwait(false))
        {
            var line = read;
            if (first && line.Span.StartsWith(Encoding.UTF8.Preamble))
            {
                line = line[Encoding.UTF8.Preamble.Length..];
            }
            first = false;
            if (line.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }
            using var document = RepoLookup.ParseJson(line) ?? throw new JsonException("not a JSON line");
            var root = document.RootElement;
            var key = root.String("key");
            var value = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("value", out var v) ? v : default;
            if (summary is null && key != "header")
            {
                throw new BadCommitException("The first line must be the header: {\"key\": \"header\", \"value\": {\"summary\": …}}");
            }
            switch (key)
            {
                case "header":
                    if (summary is not null)
                    {
                        throw new BadCommitException("Only one header line is allowed");
                    }
                    summary = value.String("summary");
                    if (string.IsNullOrWhiteSpace(summary))
                    {
                        throw new BadCommitException("summary is required in the commit header");
                    }
                    description = value.String("description") ?? "";
                    parentCommit = value.String("parentCommit");
                    if (parentCommit is not null && (parentCommit.Length is < 5 or > 40 || !parentCommit.All(char.IsAsciiHexDigit)))
                    {
                        throw new BadCommitException($"parentCommit must be a commit id (5 to 40 hex digits), not \"{parentCommit}\"");
                    }
                    break;
                case "file":
                    {
                        var path = CheckPath(value.String("path"));
                        if (value.String("oldPath") is not null)
                        {
                            throw new BadCommitException("Renames (oldPath) are not supported by this hub");
                        }
                        byte[] content;
                        try
                        {
                            content = value.String("encoding") is "utf-8" or "utf8"
                                ? Encoding.UTF8.GetBytes(value.String("content") ?? "")
                                : Convert.FromBase64String(value.String("content") ?? "");
                        }
                        catch (FormatException)
                        {
                            throw new BadCommitException($"The content of {path} is not valid base64");
                        }
                        if (content.Length >= CommitService.MaxRegularSize)
                        {
                            throw new BadCommitException($"Your push was rejected because it contains files larger than 10 MiB ({path}). Please use https://git-lfs.github.com/ to store large files.");
                        }
                        operations.Add(new PutFile(await commits.StoreRegularAsync(path, content, cancellationToken).ConfigureAwait(false)));
                        break;
                    }
                case "lfsFile":
                    {
                        var path = CheckPath(value.String("path"));
                        var oid = value.String("oid")?.ToLowerInvariant();
                        if (value.String("algo") is { } algo && algo is not ("sha256" or "sha_256"))
                        {
                            throw new BadCommitException($"Unsupported LFS hash algorithm {algo} for {path}");
                        }
                        if (oid is not { Length: 64 } || !oid.All(char.IsAsciiHexDigit))
                        {
                            throw new BadCommitException($"oid of {path} must be a SHA-256 (64 hex digits)");
                        }
                        // An LFS object uploaded to the repo, or a Xet file a shard registered for it under this SHA-256.
                        var stored = state.Git.LfsObjectSize(repo.Id, oid) is { } lfsSize && state.Blobs.Exists(oid) ? lfsSize : state.Cas.RepoFile(repo.Id, oid)?.Size;
                        if (stored is null)
                        {
                            throw new BadCommitException($"Your push was rejected because an LFS pointer pointed to a file that does not exist ({path}, oid {oid}). Upload it with the LFS batch API first.");
                        }
                        if (value.TryGetProperty("size", out var sizeValue) && sizeValue.ValueKind == JsonValueKind.Number && value.Int64("size") != stored)
                        {
                            throw new BadCommitException($"The size of {path} ({sizeValue.GetRawText()}) does not match the uploaded LFS object ({stored})");
                        }
                        var pointer = Encoding.UTF8.GetBytes(GitObjects.Pointer(oid, stored.Value));
                        operations.Add(new PutFile(new GitFile(path, GitObjects.BlobId(pointer), stored.Value, oid, true)));
                        break;
                    }
                case "deletedFile":
                    operations.Add(new DeleteFile(CheckPath(value.String("path"))));
                    break;
                case "deletedFolder":
                    {
                        var raw = (value.String("path") ?? "").Trim('/');
                        operations.Add(new DeleteFolder(raw.Length == 0 || raw == "." ? "" : CheckPath(raw)));
                        break;
                    }
                default:
                    throw new BadCommitException($"Unknown operation key \"{key}\" (file, lfsFile, deletedFile, deletedFolder)");
            }
        }
        if (summary is null)
        {
            throw new BadCommitException("The commit body is empty: a header line with a summary is required");
        }
        return new CommitRequest(summary, description!, parentCommit, operations);
    }

    /// <summary>
    /// The longest commit line read (413 above): a regular file under 10 MiB is at most about
    /// 13.4 MiB of base64, plus its path. Longer lines are refused before they are buffered whole,
    /// so a body without newlines cannot grow memory without bound.
    /// </summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private sealed class LineTooLongException() : Exception($"A line of the commit body is longer than {MaxLineBytes / (1024 * 1024)} MiB: files of 10 MiB or more must be uploaded with LFS");

    /// <summary>The body's '\n'-separated lines (a last line without '\n' too), each copied out of the pipe, none longer than <see cref="MaxLineBytes"/>.</summary>
    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadLinesAsync(PipeReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var lines = new List<byte[]>();
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                if (line.Length > MaxLineBytes)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    throw new LineTooLongException();
                }
                lines.Add(line.ToArray());
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }
            var tooLong = buffer.Length > MaxLineBytes;
            var last = result.IsCompleted && !tooLong && buffer.Length > 0 ? buffer.ToArray() : null;
            reader.AdvanceTo(buffer.Start, buffer.End);
            foreach (var line in lines)
            {
                yield return line;
            }
            if (tooLong)
            {
                throw new LineTooLongException();
            }
            if (result.IsCompleted)
            {
                if (last is not null)
                {
                    yield return last;
                }
                yield break;
            }
        }
    }

    private static string CheckPath(string? path)
    {
        path = path?.TrimStart('/');
        if (path is not null && path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }
        if (RepoNames.HasDotSegment(path))
        {
            throw new BadCommitException($"Invalid path \"{path}\": '.' and '..' segments are not allowed", StatusCodes.Status422UnprocessableEntity);
        }
        return RepoNames.IsValidPath(path) ? path! : throw new BadCommitException($"Invalid path \"{path}\": paths are relative, without empty or '.git' segments");
    }
}
