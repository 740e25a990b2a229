using System.Text.Json;

using static HfCtl.Tests.CliAssert;

namespace HfCtl.Tests.Endpoints;

/// <summary>The README's Inference Endpoints recipe, run as a user runs it: <c>--local</c>, one process per command.</summary>
public sealed class EndpointsCommandTests
{
    private static string State(CliResult info) => JsonDocument.Parse(info.Stdout).RootElement.GetProperty("state").GetString()!;

    [Fact]
    public async Task The_readme_recipe_deploys_waits_scales_pauses_resumes_and_deletes_an_endpoint()
    {
        using var cli = new CliRunner();
        string[] local = ["--local", "endpoints"];

        var deploy = await cli.RunAsync([.. local, "deploy", "chat", "--repo", "openai-community/gpt2", "--framework", "pytorch", "--accelerator", "cpu",
            "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1"]);
        var wait = await cli.RunAsync([.. local, "wait", "chat", "--interval", "100ms"]);
        var list = await cli.RunAsync([.. local, "list"]);
        var scaled = await cli.RunAsync([.. local, "scale-to-zero", "chat"]);
        var scaledWait = await cli.RunAsync([.. local, "wait", "chat", "--interval", "100ms"]);
        var paused = await cli.RunAsync([.. local, "pause", "chat"]);
        var pausedInfo = await cli.RunAsync([.. local, "info", "chat", "--json"]);
        var resumed = await cli.RunAsync([.. local, "resume", "chat"]);
        var again = await cli.RunAsync([.. local, "wait", "chat", "--interval", "100ms"]);
        var info = await cli.RunAsync([.. local, "info", "chat"]);
        var delete = await cli.RunAsync([.. local, "delete", "chat", "-y"]);
        var gone = await cli.RunAsync([.. local, "info", "chat"]);

        Ok(deploy);
        Assert.Contains("Deployed demo/chat (pending)", deploy.Stdout);
        Ok(wait);
        Assert.Contains("demo/chat is running and healthy at http://127.0.0.1:", wait.Stdout);
        Assert.Contains("demo/chat: running", wait.Stderr);
        Ok(list);
        var row = Assert.Single(list.Stdout.Trim().Split('\n'));
        Assert.StartsWith("demo/chat\trunning\topenai-community/gpt2\taws us-east-1 intel-icl x2\thttp://127.0.0.1:", row);
        Ok(scaled);
        Assert.True(scaledWait.ExitCode == 10, scaledWait.ToString());
        Assert.Equal("error: demo/chat is scaledToZero: Endpoint is scaled to zero (the next request or hfctl endpoints resume starts it)", scaledWait.Stderr.Trim().Split('\n')[^1]);
        Ok(paused);
        Assert.Equal("paused", State(pausedInfo));
        Ok(resumed);
        Assert.Contains("demo/chat is initializing", resumed.Stdout);
        Ok(again);
        Ok(info);
        Assert.Contains("state:    running (Endpoint is running)", info.Stdout);
        Assert.Contains("model:    openai-community/gpt2@main", info.Stdout);
        Ok(delete);
        Assert.True(gone.ExitCode == 5, gone.ToString());
        Assert.StartsWith("error: Endpoint demo/chat not found", gone.Stderr.Trim());
    }

    [Fact]
    public async Task Delete_without_a_terminal_or_yes_refuses_and_a_wait_times_out_with_exit_9()
    {
        using var cli = new CliRunner();
        Ok(await cli.RunAsync("--local", "endpoints", "deploy", "slow", "--repo", "openai-community/gpt2", "--framework", "pytorch", "--accelerator", "cpu",
            "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1"));

        var refused = await cli.RunAsync("--local", "endpoints", "delete", "slow");
        var timeout = await cli.RunAsync("--local", "endpoints", "wait", "slow", "--timeout", "1ms");
        var still = await cli.RunAsync("--local", "endpoints", "info", "slow", "--json");

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("--yes", refused.Stderr);
        Assert.True(timeout.ExitCode == 9, timeout.ToString());
        Assert.Contains("demo/slow is still", timeout.Stderr);
        Assert.Equal(0, still.ExitCode);
    }

    [Fact]
    public async Task Test_connection_finds_an_endpoints_health_route_through_the_api_and_tells_a_paused_one_apart()
    {
        using var cli = new CliRunner();
        Ok(await cli.RunAsync("--local", "endpoints", "deploy", "probe", "--repo", "openai-community/gpt2", "--framework", "pytorch", "--accelerator", "cpu",
            "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1"));
        Ok(await cli.RunAsync("--local", "endpoints", "wait", "probe", "--interval", "100ms"));

        var running = await cli.RunAsync("--local", "test-connection", "--inference-endpoint", "probe");
        Ok(await cli.RunAsync("--local", "endpoints", "pause", "probe"));
        var paused = await cli.RunAsync("--local", "test-connection", "--inference-endpoint", "demo/probe");
        var both = await cli.RunAsync("--local", "test-connection", "--inference-endpoint", "probe", "--url", "https://example.com");

        Ok(running);
        Assert.Contains("Inference Endpoint demo/probe: running, health route /health", running.Stdout);
        Assert.Contains("/_endpoint-apps/demo/probe/health", running.Stdout);
        Assert.Equal("connection works: every check passed", running.Stdout.Trim().Split('\n')[^1]);
        Assert.True(paused.ExitCode == 1, paused.ToString());
        Assert.Contains("503", paused.Stdout);
        Assert.True(both.ExitCode == 2, both.ToString());
    }
}
