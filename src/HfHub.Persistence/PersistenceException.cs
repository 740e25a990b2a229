using HfHub.Http;

namespace HfHub.Persistence;

/// <summary>
/// A persistence operation refused or failed for a reason on this side: bad input, a snapshot or
/// download that failed its check, a public dataset. Nothing was written when this is thrown.
/// </summary>
public class PersistenceException : HubException
{
    public PersistenceException(string message) : base(message) { }

    public PersistenceException(string message, Exception innerException) : base(message, innerException) { }

    public PersistenceException() { }
}

/// <summary>Downloaded bytes do not match the SHA-256 recorded at save time, or a restored database is damaged.</summary>
public sealed class PersistenceIntegrityException(string message) : PersistenceException(message);

/// <summary>A restore would replace an existing local file or write into a non-empty folder, and neither overwriting nor keeping it was asked for.</summary>
public sealed class PersistenceLocalExistsException(string localPath, string message) : PersistenceException(message)
{
    /// <summary>The local file or folder that exists.</summary>
    public string LocalPath { get; } = localPath;
}
