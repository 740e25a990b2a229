using System.CommandLine;
using System.Globalization;
using HfCtl.Cli;
using HfHub.Diagnostics;

namespace HfCtl.Commands.TestConnection;

/// <summary>
/// <c>hfctl test-connection</c>: DNS → TCP → TLS → HTTP → token, each step timed with ✓/✗/–
/// and a hint per failure; then the dedicated <c>--url</c> if given. Exit 0 when everything
/// passed, else by the first failure: 3 when no answer came (DNS, TCP, TLS, timeout), 4 for the
/// token (401/403), 5 when <c>--url</c> answers 404, 1 when it answers with another error
/// (5xx: reachable but failing). A 405 from <c>--url</c> passes with a note: it answers, only not to GET.
/// </summary>
internal static class TestConnectionCommand
{
    private static readonly Option<string?> Url = new("--url")
    {
        Description = "Also check a dedicated URL: a Space app (https://owner-name.hf.space) or an Inference Endpoint",
    };

    private static readonly Option<string?> InferenceEndpoint = new("--inference-endpoint")
    {
        Description = "Also check an Inference Endpoint by name (NAME or NAMESPACE/NAME): its URL and health route come from the Endpoints API",
    };

    private static readonly Option<string> Timeout = new("--timeout")
    {
        Description = "Limit for each step, e.g. 10s, 500ms, 1m (default 10s)",
        DefaultValueFactory = _ => "10s",
    };

    private static readonly Option<bool> SendToken = new("--send-token")
    {
        Description = "Send the token to --url even if its host is not *.hf.space or *.endpoints.huggingface.cloud",
    };

    public static Command Create(App app)
    {
        var command = new Command("test-connection", "Check DNS, TCP, TLS, HTTP and the token against the Hub (and a Space or Endpoint URL)")
        {
            Url, InferenceEndpoint, Timeout, SendToken,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var timeout = Duration.Parse(context.ParseResult.GetValue(Timeout) ?? "10s", "--timeout", TimeSpan.FromHours(1));
        Uri? url = null;
        if (context.ParseResult.GetValue(Url) is { } urlText)
        {
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"--url must be an http:// or https:// URL, not '{urlText}'");
            }
        }
        var endpointName = context.ParseResult.GetValue(InferenceEndpoint);
        if (endpointName is not null && url is not null)
        {
            throw new UsageException("give --url or --inference-endpoint, not both");
        }
        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (endpointName is not null)
        {
            url = await EndpointHealthUrlAsync(context, client, endpointName, cancellationToken).ConfigureAwait(false);
        }
        var tester = new ConnectionTester(new ConnectionTestOptions
        {
            Endpoint = client.Endpoint,
            Token = client.Token?.Token,
            TokenSource = client.Token?.Location,
            Url = url,
            SendTokenToUrl = context.ParseResult.GetValue(SendToken),
            Timeout = timeout,
            Environment = context.Environment,
            ApplicationId = client.Options.ApplicationId,
            HttpTrace = context.Verbose ? line => context.Console.Err.WriteLine("* " + line) : null,
            LoginHint = "pass --token, or run 'hfctl auth login'",
        });
        var report = await tester.RunAsync(cancellationToken).ConfigureAwait(false);
        var code = report.FirstFailure switch
        {
            FailureKind.None => ExitCodes.Ok,
            FailureKind.Authentication => ExitCodes.Auth,
            FailureKind.NotFound => ExitCodes.NotFound,
            FailureKind.Http => ExitCodes.Error,
            _ => ExitCodes.Network,
        };
        if (context.Output.Json)
        {
            context.Output.WriteJson(ToJson(report, code), TestConnectionJsonContext.Default.TestConnectionResult);
            return code;
        }
        Print(context, report);
        return code;
    }

    /// <summary>
    /// The endpoint's health URL, from the Endpoints API (the token's user by default). One without a
    /// URL yet (pending, failed) fails here with its state: there is nothing to connect to.
    /// </summary>
    private static async Task<Uri> EndpointHealthUrlAsync(CommandContext context, HfHub.HubClient client, string name, CancellationToken cancellationToken)
    {
        var endpoint = await client.Endpoints.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (endpoint.HealthUrl is not { } health)
        {
            throw new CommandFailedException($"{endpoint.Id} is {endpoint.State} and has no URL yet{(string.IsNullOrEmpty(endpoint.Message) ? "" : ": " + endpoint.Message)}", ExitCodes.Error);
        }
        if (!context.Output.Json && !context.Output.Settings.Quiet)
        {
            context.Output.Line($"Inference Endpoint {endpoint.Id}: {endpoint.State}, health route {endpoint.HealthRoute}");
        }
        return health;
    }

    private static void Print(CommandContext context, ConnectionReport report)
    {
        var output = context.Output;
        var proxy = report.Proxy is null ? "" : $" via proxy {report.Proxy}";
        output.Line($"Testing {report.Endpoint.ToString().TrimEnd('/')}{proxy}");
        var width = report.Steps.Max(s => s.Name.Length);
        var scope = ConnectionStep.HubScope;
        foreach (var step in report.Steps)
        {
            if (step.Scope != scope)
            {
                scope = step.Scope;
                output.Line($"Testing {report.Url}");
            }
            var mark = step.Status switch
            {
                StepStatus.Passed => output.Mark(true),
                StepStatus.Failed => output.Mark(false),
                _ => "–",
            };
            var time = step.Status == StepStatus.Skipped ? "" : $"  ({Milliseconds(step.Elapsed)})";
            output.Line($"  {mark} {step.Name.PadRight(width)}  {step.Detail}{time}");
            if (step.Hint is not null)
            {
                output.Line($"    {new string(' ', width)}  hint: {step.Hint}");
            }
            if (step.Note is not null)
            {
                output.Line($"    {new string(' ', width)}  note: {step.Note}");
            }
            if (step is { Name: "Token", Status: StepStatus.Passed, Scope: ConnectionStep.HubScope })
            {
                foreach (var line in TokenLines(report, output))
                {
                    output.Line($"    {new string(' ', width)}  {line}");
                }
            }
        }
        if (report.Ok)
        {
            output.Success(report.Verdict);
        }
        else
        {
            context.Console.Err.WriteLine($"error: {report.Verdict}");
        }
    }

    /// <summary>What the token check learnt beyond its one line: the token's type, a fine-grained token's scopes, the quota left.</summary>
    private static IEnumerable<string> TokenLines(ConnectionReport report, Output output)
    {
        if (report.Account?.Auth is { } auth)
        {
            var expires = auth.ExpiresAt is { } at ? $", expires {output.Time(at)}" : "";
            yield return $"type: {auth.Type}{(auth.AccessToken?.Role is { Length: > 0 } role ? $", role {role}" : "")}{expires}";
            if (auth.AccessToken?.FineGrained is { } fine)
            {
                if (fine.Global.Count > 0)
                {
                    yield return $"scope: everywhere: {string.Join(", ", fine.Global)}";
                }
                foreach (var scope in fine.Scoped)
                {
                    yield return $"scope: {scope.Entity.Type} {scope.Entity.Name}: {string.Join(", ", scope.Permissions)}";
                }
                yield return $"gated repos: {(fine.CanReadGatedRepos ? "readable" : "not readable")}";
            }
        }
        if (report.RateLimit is { } limit)
        {
            var of = limit.Quota is { } quota ? $" of {quota}" : "";
            var window = limit.Window is { } w ? $" per {w.TotalSeconds:0} s" : "";
            yield return $"quota: {limit.Remaining}{of} {limit.Pool ?? "API"} requests left{window}, resets in {limit.ResetIn.TotalSeconds:0} s";
        }
    }

    private static TestConnectionResult ToJson(ConnectionReport report, int exitCode) => new(
        report.Endpoint.ToString().TrimEnd('/'),
        report.Url?.ToString(),
        report.Proxy,
        report.Ok,
        exitCode,
        report.Verdict,
        [.. report.Steps.Select(s => new TestConnectionStep(
            s.Name, s.Scope, s.Target, s.Status.ToString().ToLowerInvariant(), Math.Round(s.Elapsed.TotalMilliseconds, 1), s.Detail, s.Hint, s.Note))],
        report.Certificate,
        report.Account is { } me
            ? new TestConnectionAccount(me.Name, [.. me.Orgs.Select(o => o.Name)], me.Auth?.AccessToken?.DisplayName, me.Auth?.AccessToken?.Role,
                me.Auth?.Type, me.Auth?.ExpiresAt, me.Auth?.AccessToken?.FineGrained)
            : null,
        report.RateLimit is { } limit
            ? new TestConnectionRateLimit(limit.Pool, limit.Remaining, limit.Quota, (long)limit.ResetIn.TotalSeconds, limit.Window is { } w ? (long)w.TotalSeconds : null)
            : null);

    private static string Milliseconds(TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalMilliseconds:0} ms");
}
