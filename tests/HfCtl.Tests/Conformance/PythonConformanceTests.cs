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
    public async Task Space_volumes_through_set_delete_create_duplicate_and_the_runtime()
    {
        var result = await RunAsync("volumes.py");
        PythonReferee.AssertAllPassed(result, "volumes", "set_read_and_delete", "refused", "duplicate_with_volumes");
    }
}
