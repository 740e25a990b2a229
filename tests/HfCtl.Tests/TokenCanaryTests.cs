using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Http;
using HfHub.Persistence;
using HfHub.Spaces;

namespace HfCtl.Tests;

/// <summary>
/// Runs every command of the auth and diagnostics slice with a known token, with and without
/// <c>--verbose</c>, through every way a token can arrive, and checks the token never shows up
/// in stdout or stderr (its masked form may).
/// </summary>
public sealed class TokenCanaryTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task The_token_never_appears_in_any_output()
    {
        var (user, canary) = await hub.CreateUserAsync("write");
        var outputs = new List<CliResult>();
        var masked = $"hf_****{canary[^4..]}";

        using (var cli = new CliRunner { Stdin = canary + "\n" })
        {
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            foreach (var verbose in new[] { false, true })
            {
                string[] v = verbose ? ["--verbose"] : [];
                cli.Stdin = canary + "\n";
                outputs.Add(await cli.RunAsync([.. v, "auth", "login"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "login", "--json"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "status"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "status", "--json"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "whoami"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "whoami", "--json"]));
                outputs.Add(await cli.RunAsync([.. v, "test-connection"]));
                outputs.Add(await cli.RunAsync([.. v, "test-connection", "--json", "--url", $"{hub.EndpointText}/_localhub/health"]));
                outputs.Add(await cli.RunAsync([.. v, "auth", "logout"]));
            }
        }

        using (var cli = new CliRunner())
        {
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            cli.Variables["HF_TOKEN"] = canary;
            outputs.Add(await cli.RunAsync("--verbose", "auth", "status"));
            outputs.Add(await cli.RunAsync("--verbose", "auth", "whoami"));
            outputs.Add(await cli.RunAsync("--verbose", "test-connection", "--url", $"{hub.EndpointText}/no/such/app", "--send-token"));
            outputs.Add(await cli.RunAsync("--verbose", "auth", "logout"));
            cli.Variables.Remove("HF_TOKEN");
            outputs.Add(await cli.RunAsync("--verbose", "--token", canary, "auth", "status"));
            outputs.Add(await cli.RunAsync("--verbose", "--token", canary, "test-connection", "--json"));
            outputs.Add(await cli.RunAsync("--verbose", "--token", canary, "auth", "whoami", "--json"));
        }

        // Failure paths print the token's source and error; they must stay masked too.
        await hub.RevokeAsync(canary);
        using (var cli = new CliRunner())
        {
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            cli.Variables["HF_TOKEN"] = canary;
            outputs.Add(await cli.RunAsync("--verbose", "auth", "status"));
            outputs.Add(await cli.RunAsync("--verbose", "auth", "whoami"));
            outputs.Add(await cli.RunAsync("--verbose", "test-connection"));
            outputs.Add(await cli.RunAsync("--verbose", "test-connection", "--json"));
            cli.Stdin = canary;
            outputs.Add(await cli.RunAsync("--verbose", "auth", "login"));
        }

        Assert.Equal(0, outputs[0].ExitCode);
        Assert.Contains(user, outputs[0].Stdout);
        Assert.Contains(outputs, o => o.Stderr.Contains("* > GET", StringComparison.Ordinal)); // verbose traces did run
        Assert.Contains(outputs, o => o.All.Contains(masked, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.ExitCode == 4);
        foreach (var output in outputs)
        {
            Assert.False(output.All.Contains(canary, StringComparison.Ordinal), $"token leaked:\n{output}");
            Assert.False(output.All.Contains(canary[3..], StringComparison.Ordinal), $"token body leaked:\n{output}");
        }
    }
}

/// <summary>
/// A password in the endpoint's user info (<c>HF_ENDPOINT=http://user:secret@host</c>, as a gateway
/// with basic auth needs) is a credential too: masked in traces, reports and JSON.
/// </summary>
public sealed class EndpointUserInfoCanaryTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task A_password_in_the_endpoint_never_appears_in_any_output()
    {
        var (_, token) = await hub.CreateUserAsync("write");
        var password = "endpoint-pw-" + Guid.NewGuid().ToString("N")[..12];
        var endpoint = hub.EndpointText.Replace("://", $"://gateway:{password}@", StringComparison.Ordinal);
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = endpoint;
        cli.Variables["HF_TOKEN"] = token;
        var outputs = new List<CliResult>
        {
            await cli.RunAsync("--verbose", "auth", "status"),
            await cli.RunAsync("--verbose", "auth", "status", "--json"),
            await cli.RunAsync("--verbose", "test-connection"),
            await cli.RunAsync("--verbose", "test-connection", "--json", "--url", $"{endpoint}/_localhub/health"),
            await cli.RunAsync("--verbose", "spaces", "list"),
            await cli.RunAsync("--verbose", "download", "nobody/nothing", "x.bin"),
            await cli.RunAsync("--verbose", "api", "/api/whoami-v2"),
        };
        Assert.Contains(outputs, o => o.Stderr.Contains("://****@", StringComparison.Ordinal)); // the traces ran, masked
        foreach (var output in outputs)
        {
            Assert.False(output.All.Contains(password, StringComparison.Ordinal), $"endpoint password leaked:\n{output}");
        }
    }
}

/// <summary>
/// The same promise for Space secrets and for every command that touches them: a secret set through
/// stdin, the environment or a .env file (never argv) and the token stay out of every output, verbose
/// HTTP trace and exception, while the trace shows the masked <c>Authorization: Bearer hf_****</c>.
/// </summary>
public sealed class SpaceSecretCanaryTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    [Fact]
    public async Task A_space_secret_and_the_token_stay_out_of_outputs_traces_and_exceptions()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var secret = "canary-secret-" + Guid.NewGuid().ToString("N");
        SecretCanary.Register(secret, "the Space secret set by the canary test");
        var space = $"{user}/canary-space";
        var envFile = Path.Combine(Path.GetTempPath(), $"hfctl-canary-{Guid.NewGuid():N}.env");
        await File.WriteAllTextAsync(envFile, $"FILE_SECRET={secret}\n");
        var outputs = new List<CliResult>();
        try
        {
            using var cli = new CliRunner();
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            cli.Variables["HF_TOKEN"] = token;
            cli.Variables["API_KEY"] = secret;
            cli.Variables["CREATE_SECRET"] = secret;
            async Task<CliResult> Run(string stdin, params string[] args)
            {
                cli.Stdin = stdin;
                var result = await cli.RunAsync(["--verbose", .. args]);
                outputs.Add(result);
                return result;
            }

            var created = await Run("", "spaces", "create", space, "--sdk", "docker", "-s", "CREATE_SECRET");
            Assert.True(created.ExitCode == 0, created.ToString());
            Assert.Equal(0, (await Run(secret, "spaces", "secrets", space, "--set_key", "DB_PASSWORD", "--set_value", "-")).ExitCode);
            Assert.Equal(0, (await Run("", "spaces", "secrets", "add", space, "-s", "API_KEY")).ExitCode);
            Assert.Equal(0, (await Run("", "spaces", "secrets", "add", space, "--secrets-file", envFile)).ExitCode);
            Assert.Equal(0, (await Run(secret, "api", "-X", "POST", $"/api/spaces/{space}/secrets", "-f", "key=RAW_SECRET", "-F", "value=@-")).ExitCode);
            var listed = await Run("", "spaces", "secrets", "list", space, "--json");
            foreach (var key in new[] { "CREATE_SECRET", "DB_PASSWORD", "API_KEY", "FILE_SECRET", "RAW_SECRET" })
            {
                Assert.Contains(key, listed.Stdout, StringComparison.Ordinal);
            }

            // Everything else a user might run against that Space, with the same token.
            await Run("", "spaces", "secrets", space, "--get");
            await Run("", "spaces", "info", space, "--json");
            await Run("", "spaces", "list", "--author", user);
            await Run("", "spaces", "variables", "list", space);
            await Run("", "spaces", "logs", space, "--build");
            await Run("", "spaces", "hardware", space);
            await Run("", "spaces", "duplicate", space, $"{user}/canary-copy");
            await Run("", "repo", "info", space, "--type", "space", "--json");
            await Run("", "repo", "files", space, "--type", "space");
            await Run("", "download", space, "Dockerfile", "--type", "space");
            await Run("", "api", $"/api/spaces/{space}/secrets");
            await Run("", "api", "-i", $"/api/spaces/{space}");
            await Run("", "auth", "status", "--json");
            await Run("", "test-connection");

            // Failures print the error and, with --verbose, the exception with its stack: still no secret.
            Assert.Equal(2, (await Run("", "spaces", "secrets", "add", space, "-s", $"1BAD={secret}")).ExitCode);
            Assert.Equal(5, (await Run(secret, "spaces", "secrets", $"{user}/no-such-space", "--set_key", "X", "--set_value", "-")).ExitCode);
            Assert.Equal(5, (await Run(secret, "api", "-X", "POST", $"/api/spaces/{user}/no-such-space/secrets", "-f", "key=X", "-F", "value=@-")).ExitCode);
            cli.Variables["HF_TOKEN"] = token + "x";
            Assert.Equal(4, (await Run(secret, "spaces", "secrets", space, "--set_key", "X", "--set_value", "-")).ExitCode);
        }
        finally
        {
            File.Delete(envFile);
        }

        Assert.Contains(outputs, o => o.Stderr.Contains($"Authorization: Bearer hf_****{token[^4..]}", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Stderr.Contains("   at ", StringComparison.Ordinal)); // a --verbose stack trace was printed and checked
        foreach (var output in outputs)
        {
            foreach (var value in new[] { token, token[3..], secret })
            {
                Assert.False(output.All.Contains(value, StringComparison.Ordinal), $"leaked:\n{SecretCanary.Redact(output.ToString())}");
            }
        }
    }

    [Fact]
    public async Task Library_traces_and_exceptions_never_hold_the_token_or_the_secret()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var secret = "library-secret-" + Guid.NewGuid().ToString("N");
        SecretCanary.Register(secret, "the Space secret set by the library canary test");
        var trace = new List<string>();
        var exceptions = new List<Exception>();
        using (var client = new HubClient(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token), HttpTrace = trace.Add }))
        {
            await client.Spaces.CreateAsync($"{user}/lib-space", new SpaceCreateOptions { Sdk = "docker", Secrets = [new("LIB_SECRET", secret)] });
            await client.Spaces.SetSecretAsync($"{user}/lib-space", "OTHER", secret);
            exceptions.Add(await Assert.ThrowsAnyAsync<HubException>(() => client.Spaces.SetSecretAsync($"{user}/no-such-space", "X", secret)));
            exceptions.Add(await Assert.ThrowsAnyAsync<HubException>(() => client.Spaces.CreateAsync($"{user}/lib-space", new SpaceCreateOptions { Sdk = "docker", Secrets = [new("AGAIN", secret)] })));
        }
        await hub.RevokeAsync(token);
        using (var client = new HubClient(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token), HttpTrace = trace.Add }))
        {
            exceptions.Add(await Assert.ThrowsAnyAsync<HubException>(() => client.Spaces.SetSecretAsync($"{user}/lib-space", "X", secret)));
            exceptions.Add(await Assert.ThrowsAnyAsync<HubException>(() => client.WhoAmIAsync()));
        }

        // Persistence logs its failures through ILogger: a save refused for a revoked token is logged, without it.
        var log = new ListLogger();
        var state = Directory.CreateTempSubdirectory("hfctl-canary-state-").FullName;
        var file = Path.Combine(state, "data.txt");
        await File.WriteAllTextAsync(file, secret);
        try
        {
            using var manager = new PersistenceManager($"{user}/lib-data", new PersistenceOptions
            {
                ClientOptions = new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token), HttpTrace = trace.Add },
                StateDirectory = state,
                MaxAttempts = 1,
                Logger = log,
            });
            exceptions.Add(await Assert.ThrowsAnyAsync<Exception>(() => manager.SaveAsync(file, "data.txt")));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }

        Assert.NotEmpty(log.Lines);
        SecretCanary.AssertNoLeak(string.Join('\n', log.Lines), "the persistence log");
        Assert.Contains(trace, line => line.Contains($"Authorization: Bearer hf_****{token[^4..]}", StringComparison.Ordinal));
        SecretCanary.AssertNoLeak(string.Join('\n', trace), "the library's HTTP trace");
        foreach (var exception in exceptions)
        {
            SecretCanary.AssertNoLeak(exception.ToString(), $"{exception.GetType().Name}.ToString()");
        }
    }
}

/// <summary>Keeps every log line with its exception's full text, for the canary.</summary>
internal sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines)
        {
            Lines.Add($"{logLevel}: {formatter(state, exception)} {exception}");
        }
    }
}
