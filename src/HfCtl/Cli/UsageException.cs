namespace HfCtl.Cli;

/// <summary>Bad usage detected by a command (exit 2): the message is shown as one line.</summary>
public sealed class UsageException(string message) : Exception(message)
{
    public UsageException() : this("invalid usage") { }

    public UsageException(string message, Exception innerException) : this(message) => _ = innerException;
}

/// <summary>A failure a command reports with its own exit code and one-line message.</summary>
public sealed class CommandFailedException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public CommandFailedException() : this("command failed", ExitCodes.Error) { }

    public CommandFailedException(string message) : this(message, ExitCodes.Error) { }

    public CommandFailedException(string message, Exception innerException) : this(message) => _ = innerException;
}
