using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using HfCtl.Testing;

namespace HfCtl.Tests;

/// <summary>
/// The real hfctl as a separate process (<c>dotnet hfctl.dll</c> from this test's build output):
/// the README's first command, and <c>local-hub serve</c> from start-up line to SIGTERM.
/// </summary>
public sealed partial class ProcessTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly string _home = Directory.CreateTempSubdirectory("hfctl-process-home-").FullName;

    [Fact]
    public async Task The_READMEs_first_command_lists_the_demo_Space_of_a_fresh_embedded_hub()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains("dotnet run --project src/HfCtl -- --local spaces list", readme);

        var result = await RunToEndAsync("--local", "spaces", "list");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^demo/hello-docker\t(BUILDING|APP_STARTING|RUNNING)\tcpu-basic\thttp://127\.0\.0\.1:\d+/_spaces/demo-hello-docker\n$", result.Stdout);

        // The second run reuses the same hub folder: the Space is still there, not created twice.
        var again = await RunToEndAsync("--local", "spaces", "list");
        Assert.Single(again.Stdout.Trim().Split('\n'));
    }

    [Fact]
    public async Task The_embedded_hub_logs_in_as_the_demo_user()
    {
        var result = await RunToEndAsync("--local", "auth", "status");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Logged in as demo", result.Stdout);
        Assert.Contains("(local hub demo account)", result.Stdout);
        Assert.Contains("Role: write", result.Stdout);
    }

    [Fact]
    public async Task Usage_errors_are_one_line_without_a_stack_trace()
    {
        var result = await RunToEndAsync("auth", "status", "--nope");
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Stderr.Trim().Split('\n')); // the --help pointer rides on the same line
        Assert.Contains("(run 'hfctl auth status --help' for usage)", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task Serve_prints_the_endpoint_and_token_answers_whoami_and_stops_on_SIGTERM()
    {
        using var process = Process.Start(StartInfo("local-hub", "serve", "--in-memory", "--port", "0"))!;
        using var deadline = new CancellationTokenSource(Deadline);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            var first = await process.StandardOutput.ReadLineAsync(deadline.Token);
            var second = await process.StandardOutput.ReadLineAsync(deadline.Token);
            var match = ServeLine().Match(first ?? "");
            Assert.True(match.Success, $"unexpected first line: {first}");
            Assert.Matches("^HFCTL_LOCALHUB_ADMIN=\\S{16,}$", second ?? "");
            var endpoint = new Uri(match.Groups["endpoint"].Value);
            var token = match.Groups["token"].Value;

            using var http = new HttpClient { BaseAddress = endpoint };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.GetAsync("/api/whoami-v2", deadline.Token);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline.Token));
            Assert.Equal("demo", body.RootElement.GetProperty("name").GetString());
            Assert.Equal("write", body.RootElement.GetProperty("auth").GetProperty("accessToken").GetProperty("role").GetString());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync(deadline.Token);
            }
            await process.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("local hub stopped", await stderr);
            using var probe = new TcpClient();
            await Assert.ThrowsAnyAsync<SocketException>(async () => await probe.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Local_commands_use_a_running_serve_on_the_same_state_and_otherwise_say_the_hub_ends_with_them()
    {
        // No server: the embedded hub ends with the command, which says so; an empty Space gets no 'wait' hint.
        var embedded = await RunToEndAsync("--local", "spaces", "create", "empty-one", "--empty");
        Assert.True(embedded.ExitCode == 0, embedded.ToString());
        Assert.DoesNotContain("spaces wait", embedded.Stdout);
        Assert.Contains("hfctl --local spaces deploy demo/empty-one", embedded.Stdout);
        Assert.Contains("the embedded local hub stops when this command ends", embedded.Stderr);
        Assert.Contains("hfctl local-hub serve", embedded.Stderr);

        using var server = Process.Start(StartInfo("local-hub", "serve", "--port", "0"))!;
        using var deadline = new CancellationTokenSource(Deadline);
        var serverErr = server.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            var match = ServeLine().Match(await server.StandardOutput.ReadLineAsync(deadline.Token) ?? "");
            Assert.True(match.Success);
            var endpoint = match.Groups["endpoint"].Value;

            var created = await RunToEndAsync("--local", "spaces", "create", "lives-on");
            Assert.True(created.ExitCode == 0, created.ToString());
            Assert.Contains($"app url: {endpoint}/_spaces/demo-lives-on", created.Stdout);
            Assert.Contains("(follow with: hfctl --local spaces wait demo/lives-on)", created.Stdout);
            Assert.DoesNotContain("embedded local hub", created.Stderr);

            // The command has ended; the Space and what it printed are still served.
            using var http = new HttpClient();
            using var info = await http.GetAsync(new Uri($"{endpoint}/api/spaces/demo/lives-on"), deadline.Token);
            Assert.True(info.IsSuccessStatusCode, $"{(int)info.StatusCode}");
            var wait = await RunToEndAsync("--local", "spaces", "wait", "demo/lives-on");
            Assert.True(wait.ExitCode == 0, wait.ToString());

            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync(deadline.Token);
            }
            await server.WaitForExitAsync(deadline.Token);
            Assert.False(File.Exists(Path.Combine(_home, "hfctl", "local-hub", "serve.json")), await serverErr);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"^HF_ENDPOINT=(?<endpoint>http://127\.0\.0\.1:\d+) HF_TOKEN=(?<token>hf_[A-Za-z0-9]{34})$")]
    private static partial Regex ServeLine();

    private async Task<CliResult> RunToEndAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        using var deadline = new CancellationTokenSource(Deadline);
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts hfctl with a private HF_HOME and none of the caller's Hugging Face variables.</summary>
    private ProcessStartInfo StartInfo(params string[] args)
    {
        var start = HfCtlProcess.StartInfo(args);
        start.RedirectStandardInput = true;
        start.Environment["HF_HOME"] = _home;
        start.Environment["NO_COLOR"] = "1";
        return start;
    }


    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
