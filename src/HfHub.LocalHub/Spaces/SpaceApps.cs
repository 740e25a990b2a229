namespace HfHub.LocalHub.Spaces;

/// <summary>
/// What the emulator "runs": which file makes a Space buildable, and the deterministic rules that
/// decide whether its build and its app succeed (documented in README, "Local hub Spaces runtime").
/// </summary>
internal static class SpaceApps
{
    /// <summary>The file whose presence on <c>main</c> makes a Space of this SDK buildable.</summary>
    public static IReadOnlyList<string> AppFiles(string? sdk) => sdk switch
    {
        "docker" => ["Dockerfile"],
        "static" => ["index.html"],
        "streamlit" => ["app.py", "streamlit_app.py"],
        _ => ["app.py"],
    };

    /// <summary>
    /// The build error of an app file, or null when it builds. Docker: a Dockerfile with no
    /// <c>FROM</c> instruction, or a <c>RUN</c> that is <c>exit N</c> (N ≠ 0) or <c>false</c>, fails.
    /// Python SDKs always build.
    /// </summary>
    public static string? BuildError(string? sdk, string? appFile, string? content)
    {
        if (sdk != "docker" || content is null)
        {
            return null;
        }
        var instructions = Instructions(content).ToList();
        if (!instructions.Any(i => i.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)))
        {
            return $"failed to solve: {appFile}: no FROM instruction: a Dockerfile must start with a base image";
        }
        foreach (var run in instructions.Where(i => i.StartsWith("RUN ", StringComparison.OrdinalIgnoreCase)))
        {
            var command = run[4..].Trim();
            if (command == "false" || (command.StartsWith("exit ", StringComparison.Ordinal) && command[5..].Trim() != "0"))
            {
                var code = command == "false" ? "1" : command[5..].Trim();
                return $"process \"/bin/sh -c {command}\" did not complete successfully: exit code: {code}";
            }
        }
        return null;
    }

    /// <summary>
    /// The runtime error of an app, or null when it starts. Docker: a <c>CMD</c> or
    /// <c>ENTRYPOINT</c> containing <c>exit 1</c> or <c>false</c>; Python: <c>sys.exit(1)</c> or
    /// <c>raise SystemExit(1)</c> in the app file.
    /// </summary>
    public static string? RuntimeError(string? sdk, string? content)
    {
        if (content is null)
        {
            return null;
        }
        if (sdk == "docker")
        {
            var failing = Instructions(content).Any(i =>
                (i.StartsWith("CMD ", StringComparison.OrdinalIgnoreCase) || i.StartsWith("ENTRYPOINT ", StringComparison.OrdinalIgnoreCase))
                && (i.Contains("exit 1", StringComparison.Ordinal) || i.Contains("\"false\"", StringComparison.Ordinal) || i.EndsWith(" false", StringComparison.Ordinal)));
            return failing ? "Exit code: 1. Reason: the container's command exited with code 1" : null;
        }
        return content.Contains("sys.exit(1)", StringComparison.Ordinal) || content.Contains("raise SystemExit(1)", StringComparison.Ordinal)
            ? "Exit code: 1. Reason: the application exited with code 1"
            : null;
    }

    /// <summary>The Dockerfile's instructions (comments and blank lines dropped, continuations kept on their line).</summary>
    public static IEnumerable<string> Instructions(string content) =>
        (content ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));

    /// <summary>The lines a build prints for its steps.</summary>
    public static IEnumerable<string> BuildSteps(string? sdk, string? content)
    {
        if (sdk == "docker" && content is not null)
        {
            return Instructions(content).Take(40).Select(i => "--> " + i);
        }
        return sdk switch
        {
            "gradio" => ["--> FROM docker.io/library/python:3.10", "--> RUN pip install --no-cache-dir gradio", "--> COPY --link ./ /home/user/app"],
            "streamlit" => ["--> FROM docker.io/library/python:3.10", "--> RUN pip install --no-cache-dir streamlit", "--> COPY --link ./ /home/user/app"],
            _ => ["--> COPY --link ./ /home/user/app"],
        };
    }

    /// <summary>The page a running Space's app serves: a static Space's own <c>index.html</c>, or a page naming the Space.</summary>
    public static string Page(Store.Repo space, SpaceRow row)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(row);
        if (row.Sdk == "static" && row.AppContent is { } html)
        {
            return html;
        }
        var name = System.Net.WebUtility.HtmlEncode(space.FullName);
        return $"<!doctype html><html><head><title>{name}</title></head><body><h1>{name}</h1><p>Running on the hfctl local hub ({row.Sdk}, {row.HardwareCurrent}).</p></body></html>\n";
    }
}
