using System.Diagnostics;

namespace HfCtl.Tests;

/// <summary>Starts the built hfctl as a real process (<c>dotnet hfctl.dll</c>), without any of the caller's Hugging Face variables.</summary>
internal static class HfCtlProcess
{
    /// <summary>Start information with stdout and stderr redirected; callers add their own variables (token, HF_HOME).</summary>
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hfctl.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("HF_", StringComparison.Ordinal) || k == "HUGGING_FACE_HUB_TOKEN").ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["HFCTL_POLL_INTERVAL"] = "100ms";
        info.Environment["HFCTL_LOG_DRAIN"] = "1s";
        return info;
    }
}
