using System.Text.Json;
using HfCtl.Testing;

namespace HfCtl.Tests.Spaces;

/// <summary><c>hfctl spaces dev-mode</c> against a local hub, as the hf CLI's command of the same name.</summary>
public sealed class DevModeCommandTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    [Fact]
    public async Task Dev_mode_turns_on_waits_and_says_how_to_connect_then_stop_turns_it_off()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        Assert.Equal(0, (await cli.RunAsync("spaces", "create", "dev", "--sdk", "gradio", "--wait")).ExitCode);

        var on = await cli.RunAsync("spaces", "dev-mode", "dev");
        var json = await cli.RunAsync("spaces", "dev-mode", "dev", "--json");
        var off = await cli.RunAsync("spaces", "dev-mode", "dev", "--stop", "--json");
        var missing = await cli.RunAsync("spaces", "dev-mode", "nope");

        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.Contains($"vscode web: {hub.EndpointText}/spaces/{user}/dev/dev-mode/vscode-web?folder=/home/user/app", on.Stdout);
        Assert.Contains($"ssh {user}-dev@ssh.hf.space", on.Stdout);
        var view = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.True(view.GetProperty("devMode").GetBoolean());
        Assert.Equal("RUNNING", view.GetProperty("stage").GetString());
        Assert.False(JsonDocument.Parse(off.Stdout).RootElement.GetProperty("devMode").GetBoolean());
        Assert.True(missing.ExitCode == 5, missing.ToString());
    }
}
