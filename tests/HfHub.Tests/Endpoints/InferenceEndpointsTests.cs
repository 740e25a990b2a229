using System.Net;
using System.Net.Http.Json;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Endpoints;
using HfHub.Http;
using HfHub.LocalHub;
using HfHub.LocalHub.Endpoints;

namespace HfHub.Tests.Endpoints;

/// <summary>A local hub whose endpoints start in tens of milliseconds.</summary>
public sealed class FastEndpointsHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options) => options.Endpoints = EndpointTimings.Fast();
}

public sealed class InferenceEndpointsTests(FastEndpointsHubFixture hub) : IClassFixture<FastEndpointsHubFixture>
{
    private static readonly InferenceEndpointWaitOptions Quick = new() { Timeout = TimeSpan.FromSeconds(20), PollInterval = TimeSpan.FromMilliseconds(20) };

    private HubClient Client(string token) => new(new HubClientOptions
    {
        Endpoint = hub.Endpoint,
        Token = HfToken.FromValue(token),
        EndpointsApi = new Uri(hub.Endpoint, "_endpoints/v2"),
        Environment = new HfEnvironment(_ => null, Path.GetTempPath()),
    });

    /// <summary>Creates an endpoint the way the official Python client's create_inference_endpoint does.</summary>
    private async Task CreateAsync(string token, string ns, string name, string type = "protected")
    {
        using var http = hub.RawClient(token);
        using var response = await http.PostAsJsonAsync(new Uri(hub.Endpoint, $"_endpoints/v2/endpoint/{ns}"), new
        {
            name,
            type,
            compute = new { accelerator = "cpu", instanceType = "intel-icl", instanceSize = "x2", scaling = new { minReplica = 1, maxReplica = 1 } },
            model = new { repository = "openai-community/gpt2", revision = "main", task = "text-generation", framework = "pytorch", image = new { huggingface = new { } } },
            provider = new { vendor = "aws", region = "us-east-1" },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_endpoint_moves_from_pending_to_running_and_answers_its_health_route_with_the_token()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await CreateAsync(token, user, "chat");

        var first = await client.Endpoints.GetAsync("chat");
        var seen = new List<string>();
        var ready = await client.Endpoints.WaitAsync($"{user}/chat", Quick with { OnState = e => seen.Add(e.State.Value) });

        Assert.Equal(user, first.Namespace);
        Assert.Equal("openai-community/gpt2", first.Repository);
        Assert.Contains(first.State.Value, new[] { "pending", "initializing", "running" });
        Assert.Equal(InferenceEndpointState.Running, ready.State);
        Assert.Equal("running", seen[^1]);
        Assert.NotNull(ready.HealthUrl);
        Assert.True(await client.Endpoints.IsHealthyAsync(ready.HealthUrl!));
        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ready.HealthUrl)).StatusCode);
        var listed = Assert.Single(await client.Endpoints.ListAsync());
        Assert.Equal("chat", listed.Name);
    }

    [Fact]
    public async Task Pause_resume_and_scale_to_zero_change_the_state_and_a_request_wakes_a_scaled_endpoint()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await CreateAsync(token, user, "batch", type: "public");
        var running = await client.Endpoints.WaitAsync("batch", Quick);

        var already = await client.Endpoints.ResumeAsync("batch");
        var paused = await client.Endpoints.PauseAsync("batch");
        Assert.False(await client.Endpoints.IsHealthyAsync(running.HealthUrl!));
        var resumed = await client.Endpoints.ResumeAsync("batch");
        await client.Endpoints.WaitAsync("batch", Quick);
        var scaled = await client.Endpoints.ScaleToZeroAsync("batch");
        var stillScaled = await client.Endpoints.GetAsync("batch");
        using var anonymous = new HttpClient();
        var wake = await anonymous.GetAsync(running.HealthUrl);   // public: no token needed; answers 503 while it starts
        var woken = await client.Endpoints.WaitAsync("batch", Quick);

        Assert.Equal(InferenceEndpointState.Running, already.State);
        Assert.Equal(InferenceEndpointState.Paused, paused.State);
        Assert.Equal(0, paused.TargetReplicas);
        Assert.Equal(InferenceEndpointState.Initializing, resumed.State);
        Assert.Equal(InferenceEndpointState.ScaledToZero, scaled.State);
        Assert.Equal(InferenceEndpointState.ScaledToZero, stillScaled.State);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, wake.StatusCode);
        Assert.Equal(InferenceEndpointState.Running, woken.State);
        await Assert.ThrowsAsync<HubException>(() => client.Endpoints.ResumeAsync("batch", runningOk: false));
    }

    [Fact]
    public async Task Missing_endpoints_foreign_namespaces_and_read_tokens_are_refused_as_the_api_does()
    {
        var (user, token) = await hub.CreateUserAsync();
        var (other, otherToken) = await hub.CreateUserAsync();
        var readToken = await hub.CreateTokenAsync(user, role: "read", displayName: "ro");
        using var client = Client(token);
        using var reader = Client(readToken);
        await CreateAsync(otherToken, other, "theirs");
        await CreateAsync(token, user, "mine");

        await Assert.ThrowsAsync<HubNotFoundException>(() => client.Endpoints.GetAsync("nope"));
        await Assert.ThrowsAsync<HubAuthenticationException>(() => client.Endpoints.GetAsync($"{other}/theirs"));
        await Assert.ThrowsAsync<HubForbiddenException>(() => reader.Endpoints.PauseAsync("mine"));
        Assert.Equal("mine", (await reader.Endpoints.GetAsync("mine")).Name);
        Assert.Throws<ArgumentException>(() => { _ = client.Endpoints.GetAsync("a/b/c").GetAwaiter().GetResult(); });
    }

    [Fact]
    public async Task Wait_returns_a_paused_endpoint_as_it_is_and_gives_up_after_its_timeout_on_one_that_does_not_start()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await CreateAsync(token, user, "idle");
        await client.Endpoints.PauseAsync("idle");
        var paused = await client.Endpoints.WaitAsync("idle", Quick);
        await CreateAsync(token, user, "slow");
        var e = await Assert.ThrowsAsync<TimeoutException>(() => client.Endpoints.WaitAsync("slow", Quick with { Timeout = TimeSpan.FromMilliseconds(1) }));

        Assert.Equal(InferenceEndpointState.Paused, paused.State);
        Assert.Contains("slow", e.Message);
    }

    [Fact]
    public async Task An_endpoint_deployed_through_the_client_runs_refuses_a_duplicate_and_is_gone_after_delete()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var options = new InferenceEndpointCreateOptions
        {
            Repository = "openai-community/gpt2",
            Framework = "pytorch",
            Task = "text-generation",
            Accelerator = "cpu",
            InstanceType = "intel-icl",
            InstanceSize = "x2",
            Vendor = "aws",
            Region = "eu-west-1",
            MinReplica = 0,
            MaxReplica = 2,
        };

        var created = await client.Endpoints.CreateAsync("gen", options);
        var ready = await client.Endpoints.WaitAsync("gen", Quick);
        await Assert.ThrowsAsync<HubConflictException>(() => client.Endpoints.CreateAsync($"{user}/gen", options));
        await client.Endpoints.DeleteAsync("gen");

        Assert.Equal(InferenceEndpointState.Pending, created.State);
        Assert.Equal("authenticated", created.Type);
        Assert.Equal(("aws", "eu-west-1", "intel-icl", "x2"), (ready.Vendor, ready.Region, ready.InstanceType, ready.InstanceSize));
        Assert.Equal(InferenceEndpointState.Running, ready.State);
        await Assert.ThrowsAsync<HubNotFoundException>(() => client.Endpoints.GetAsync("gen"));
        Assert.Empty(await client.Endpoints.ListAsync(user));
    }

    [Fact]
    public void The_token_goes_only_to_hugging_face_endpoint_hosts_and_the_api_host()
    {
        using var client = new HubClient(new HubClientOptions { Token = HfToken.FromValue("hf_abcdefghijklmnopqrstuvwxyz0123"), Environment = new HfEnvironment(_ => null, Path.GetTempPath()) });

        Assert.Equal(InferenceEndpointsClient.DefaultApi, client.Endpoints.Api);
        Assert.True(client.Endpoints.MayCarryToken(new Uri("https://abc123.us-east-1.aws.endpoints.huggingface.cloud/health")));
        Assert.True(client.Endpoints.MayCarryToken(new Uri("https://api.endpoints.huggingface.cloud/v2/x")));
        Assert.False(client.Endpoints.MayCarryToken(new Uri("http://abc123.us-east-1.aws.endpoints.huggingface.cloud/health")));
        Assert.False(client.Endpoints.MayCarryToken(new Uri("https://endpoints.huggingface.cloud.evil.example/health")));
        Assert.False(client.Endpoints.MayCarryToken(new Uri("https://example.com/health")));
    }
}
