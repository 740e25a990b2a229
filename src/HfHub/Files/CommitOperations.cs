namespace HfHub.Files;

/// <summary>One change in a commit: add (or replace) a file, delete a file, or delete a folder.</summary>
public abstract record CommitOperation
{
    private protected CommitOperation(string pathInRepo) => PathInRepo = RepoPath.Normalize(pathInRepo);

    /// <summary>The path in the repository, '/'-separated, validated like the official clients do.</summary>
    public string PathInRepo { get; }
}

/// <summary>Adds or replaces a file with content from a local file, a seekable stream or bytes.</summary>
public sealed record CommitAddFile : CommitOperation
{
    public CommitAddFile(string pathInRepo, ContentSource content) : base(pathInRepo) =>
        Content = content ?? throw new ArgumentNullException(nameof(content));

    /// <summary>Where the bytes come from.</summary>
    public ContentSource Content { get; }

    /// <summary>
    /// The content's hashes when the caller computed them while writing a file it owns (a
    /// persistence snapshot), so the upload does not read the file a second time to hash it.
    /// </summary>
    internal ContentDigest? KnownDigest { get; init; }
}

/// <summary>Deletes one file (the Hub fails the commit if it does not exist).</summary>
public sealed record CommitDeleteFile(string Path) : CommitOperation(Path);

/// <summary>Deletes a folder and everything under it.</summary>
public sealed record CommitDeleteFolder(string Path) : CommitOperation(Path);

/// <summary>
/// Collects the operations and metadata of one commit:
/// <code>new CommitBuilder("Add model").AddFile("model.bin", "/data/model.bin").DeleteFile("old.bin")</code>
/// </summary>
public sealed class CommitBuilder(string message)
{
    private readonly List<CommitOperation> _operations = [];

    /// <summary>The commit's title (the Hub's <c>summary</c>); required and non-empty.</summary>
    public string Message { get; set; } = message;

    /// <summary>The longer description; empty by default.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// The commit the branch must still be at; when someone else committed since, the Hub answers
    /// 412 and <see cref="HfHub.Http.HubConflictException"/> is thrown instead of overwriting their work.
    /// </summary>
    public string? ParentCommit { get; set; }

    /// <summary>The operations, in order.</summary>
    public IReadOnlyList<CommitOperation> Operations => _operations;

    /// <summary>Adds a local file.</summary>
    public CommitBuilder AddFile(string pathInRepo, string localPath) => Add(new CommitAddFile(pathInRepo, ContentSource.FromFile(localPath)));

    /// <summary>
    /// Adds a local file whose hashes the caller already has (from <see cref="ContentHasher"/>, e.g.
    /// while copying it), so the commit does not read it once more to hash it. The digest must be
    /// the file's own: the commit names the uploaded content by it.
    /// </summary>
    public CommitBuilder AddFile(string pathInRepo, string localPath, ContentDigest digest) =>
        Add(new CommitAddFile(pathInRepo, ContentSource.FromFile(localPath)) { KnownDigest = digest });

    /// <summary>Adds content from a seekable stream (read from its current position to the end; not disposed).</summary>
    public CommitBuilder AddFile(string pathInRepo, Stream content) => Add(new CommitAddFile(pathInRepo, ContentSource.FromStream(content)));

    /// <summary>Adds in-memory content.</summary>
    public CommitBuilder AddFile(string pathInRepo, ReadOnlyMemory<byte> content) => Add(new CommitAddFile(pathInRepo, ContentSource.FromBytes(content)));

    /// <summary>Deletes a file.</summary>
    public CommitBuilder DeleteFile(string pathInRepo) => Add(new CommitDeleteFile(pathInRepo));

    /// <summary>Deletes a folder and its content.</summary>
    public CommitBuilder DeleteFolder(string pathInRepo) => Add(new CommitDeleteFolder(pathInRepo));

    /// <summary>Adds any operation.</summary>
    public CommitBuilder Add(CommitOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        _operations.Add(operation);
        return this;
    }
}
