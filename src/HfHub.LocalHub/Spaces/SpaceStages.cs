namespace HfHub.LocalHub.Spaces;

/// <summary>The Hub's stage names (huggingface_hub <c>SpaceStage</c>, plus <c>SLEEPING</c> as real responses report it).</summary>
internal static class SpaceStages
{
    public const string NoAppFile = "NO_APP_FILE";
    public const string ConfigError = "CONFIG_ERROR";
    public const string Building = "BUILDING";
    public const string BuildError = "BUILD_ERROR";
    public const string AppStarting = "APP_STARTING";
    public const string Running = "RUNNING";
    public const string RuntimeError = "RUNTIME_ERROR";
    public const string Paused = "PAUSED";
    public const string Sleeping = "SLEEPING";
}
