namespace HfCtl.Tests.Conformance;

/// <summary>
/// The official Python client, <c>huggingface_hub</c>, against the local hub: each test runs one
/// script of <c>conformance/python/scenarios/</c> (a batch of checks in one Python process) and
/// fails on any check that fails. Skipped, with the reason, where <c>../shared</c> is absent.
/// </summary>
[Collection(PythonRefereeCollection.Name)]
public sealed class PythonConformanceTests(PythonHubFixture hub)
{
    private async Task<CliResult> RunAsync(string script, object? args = null, string role = "write")
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (user, token) = await hub.CreateUserAsync(role);
        return await PythonReferee.RunScenarioAsync(script, hub.EndpointText, token, user, args);
    }

    [SkippableFact]
    public async Task Connection_and_a_first_file_round_trip()
    {
        var result = await RunAsync("basics.py");
        PythonReferee.AssertAllPassed(result, "basics", "whoami", "small_file_round_trip");
    }

    [SkippableFact]
    public async Task Inference_endpoints_through_their_api()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (other, otherToken) = await hub.CreateUserAsync();
        var result = await RunAsync("endpoints.py", new { other = new { user = other, token = otherToken } });
        PythonReferee.AssertAllPassed(result, "endpoints", "lifecycle", "duplicate_and_foreign_namespace");
    }

    [SkippableFact]
    public async Task Buckets_that_hfctl_filled_read_back_through_python_and_python_manages_its_own()
    {
        Skip.If(PythonReferee.Missing is not null, PythonReferee.Missing);
        var (user, token) = await hub.CreateUserAsync();
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        var bucket = $"{user}/{HfCtl.Testing.LocalHubFixture.UniqueName("seed")}";
        var folder = Path.Combine(cli.HfHome, "seed");
        Directory.CreateDirectory(Path.Combine(folder, "dir", "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "top.txt"), "top");
        await File.WriteAllBytesAsync(Path.Combine(folder, "dir", "sub", "data.bin"), new byte[70_000]);
        Assert.Equal(0, (await cli.RunAsync("buckets", "create", bucket)).ExitCode);
        var sync = await cli.RunAsync("buckets", "sync", folder, $"hf://buckets/{bucket}");
        Assert.True(sync.ExitCode == 0, sync.ToString());

        var result = await PythonReferee.RunScenarioAsync("buckets.py", hub.EndpointText, token, user, new { seeded = bucket, size = 70_003 });
        PythonReferee.AssertAllPassed(result, "buckets", "reads_what_hfctl_wrote", "create_move_and_delete");
    }
}
