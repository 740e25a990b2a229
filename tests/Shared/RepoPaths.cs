namespace HfCtl.Testing;

/// <summary>Paths in the repository, found from the test binaries' folder.</summary>
public static class RepoPaths
{
    /// <summary>The repository root (the folder holding <c>HfCtl.slnx</c>).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HfCtl.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (HfCtl.slnx) not found above the test binaries");
    }
}
