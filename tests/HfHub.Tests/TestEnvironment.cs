namespace HfHub.Tests;

/// <summary>A private environment: a temp home folder and only the variables a test sets.</summary>
public sealed class TestEnvironment : IDisposable
{
    public TestEnvironment()
    {
        Home = Directory.CreateTempSubdirectory("hfhub-test-home-").FullName;
    }

    public string Home { get; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public HfEnvironment Environment => new(name => Variables.GetValueOrDefault(name), Home);

    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Home, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
