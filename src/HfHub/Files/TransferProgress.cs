namespace HfHub.Files;

/// <summary>What a transfer step is doing.</summary>
public enum TransferStage
{
    /// <summary>Computing SHA-256 / git ids.</summary>
    Hashing,
    /// <summary>Sending bytes to the Hub or its storage.</summary>
    Uploading,
    /// <summary>Receiving bytes.</summary>
    Downloading,
    /// <summary>The file is done (or was already there).</summary>
    Completed,
}

/// <summary>
/// A progress report for one file of a transfer: cumulative bytes done out of the total. Reports
/// arrive from several threads when files move in parallel; keep handlers cheap and thread-safe.
/// </summary>
/// <param name="Path">The path in the repo.</param>
/// <param name="Stage">What is happening.</param>
/// <param name="BytesDone">Bytes done so far for this file and stage.</param>
/// <param name="TotalBytes">The file's size.</param>
public sealed record TransferProgress(string Path, TransferStage Stage, long BytesDone, long TotalBytes);
