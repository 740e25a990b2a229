using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using HfCtl.Cli;
using HfCtl.Commands.Spaces;
using HfHub;
using HfHub.Endpoints;

namespace HfCtl.Commands.Endpoints;

/// <summary>
/// <c>hfctl endpoints list|info|deploy|delete|pause|resume|scale-to-zero|wait</c>: dedicated Inference Endpoints
/// through the Endpoints API. An endpoint is <c>NAME</c> (yours) or <c>NAMESPACE/NAME</c>. Each
/// command builds its own symbols, so one parse tree never shares state with another.
/// </summary>
internal static class EndpointsCommands
{
    public static Command Create(App app)
    {
        var api = new Option<string?>("--endpoints-url")
        {
            Description = "The Endpoints API base (default HF_ENDPOINTS_API, else https://api.endpoints.huggingface.cloud/v2; with --local the local hub's)",
            Recursive = true,
        };
        var endpoints = new Command("endpoints", "List, deploy, inspect, pause, resume, scale to zero, wait for and delete Inference Endpoints") { api };
        endpoints.Subcommands.Add(List(app, api));
        endpoints.Subcommands.Add(Info(app, api));
        endpoints.Subcommands.Add(Deploy(app, api));
        endpoints.Subcommands.Add(Delete(app, api));
        endpoints.Subcommands.Add(Change(app, api, "pause", "Pause an endpoint: no replica, not billed, only 'resume' starts it", (c, id, ct) => c.PauseAsync(id, ct)));
        endpoints.Subcommands.Add(Change(app, api, "resume", "Resume a paused or scaled-to-zero endpoint (one already running is left as it is)", (c, id, ct) => c.ResumeAsync(id, true, ct)));
        endpoints.Subcommands.Add(Change(app, api, "scale-to-zero", "Scale an endpoint to zero: not billed; the next request starts it again (cold start)", (c, id, ct) => c.ScaleToZeroAsync(id, ct)));
        endpoints.Subcommands.Add(Wait(app, api));
        return endpoints;
    }

    private static Argument<string> EndpointArgument() => new("endpoint") { Description = "NAME (in your namespace) or NAMESPACE/NAME" };

    private static async Task<HubClient> ConnectAsync(CommandContext context, Option<string?> api, CancellationToken cancellationToken)
    {
        if (context.ParseResult.GetValue(api) is { } url)
        {
            try
            {
                context.EndpointsApi = HubClientOptions.Normalize(url);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--endpoints-url: {e.Message}");
            }
        }
        return await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Command List(App app, Option<string?> api)
    {
        var ns = new Option<string?>("--namespace") { Description = "The user or organization (default: yours)" };
        var command = new Command("list", "List Inference Endpoints with state, model and URL") { ns };
        command.Aliases.Add("ls");
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var client = await ConnectAsync(context, api, ct).ConfigureAwait(false);
            var rows = (await client.Endpoints.ListAsync(context.ParseResult.GetValue(ns), ct).ConfigureAwait(false)).Select(EndpointView.From).ToList();
            context.Output.WriteList(rows,
            [
                new Column<EndpointView>("name", r => r.Name),
                new Column<EndpointView>("state", r => r.State),
                new Column<EndpointView>("model", r => r.Repository ?? "-"),
                new Column<EndpointView>("hardware", r => r.Hardware),
                new Column<EndpointView>("url", r => r.Url ?? "-"),
            ], EndpointsCliJsonContext.Default.ListEndpointView, "endpoints");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Info(App app, Option<string?> api)
    {
        var endpoint = EndpointArgument();
        var command = new Command("info", "Show an endpoint's state, model, hardware, URL and health route") { endpoint };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var client = await ConnectAsync(context, api, ct).ConfigureAwait(false);
            Print(context, EndpointView.From(await client.Endpoints.GetAsync(context.ParseResult.GetValue(endpoint)!, ct).ConfigureAwait(false)));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary><c>hfctl endpoints deploy NAME --repo … --framework … --accelerator … --instance-type … --instance-size … --vendor … --region …</c>, the <c>hf</c> CLI's flags.</summary>
    private static Command Deploy(App app, Option<string?> api)
    {
        var endpoint = EndpointArgument();
        Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };
        var repo = Required("--repo", "The model repository, e.g. openai-community/gpt2");
        var framework = Required("--framework", "The framework, e.g. pytorch or vllm");
        var accelerator = Required("--accelerator", "The accelerator, e.g. cpu or gpu");
        var instanceType = Required("--instance-type", "The instance type, e.g. intel-icl or nvidia-a10g");
        var instanceSize = Required("--instance-size", "The instance size, e.g. x2");
        var vendor = Required("--vendor", "The cloud vendor, e.g. aws");
        var region = Required("--region", "The region, e.g. us-east-1");
        var task = new Option<string?>("--task") { Description = "The task, e.g. text-generation (default: the API infers it)" };
        var revision = new Option<string?>("--revision") { Description = "The model revision (default: the repo's default branch)" };
        var type = new Option<string>("--type") { Description = "Who may call it: authenticated (a Hugging Face token, default), public or private", DefaultValueFactory = _ => "authenticated" };
        type.AcceptOnlyFromAmong("authenticated", "public", "private", "protected");
        var minReplica = new Option<int>("--min-replica") { Description = "Replicas kept running (0 lets it scale to zero; default 1)", DefaultValueFactory = _ => 1 };
        var maxReplica = new Option<int>("--max-replica") { Description = "Most replicas to scale to (default 1)", DefaultValueFactory = _ => 1 };
        var command = new Command("deploy", "Deploy a model from the Hub as a new Inference Endpoint (then: hfctl endpoints wait NAME)")
        {
            endpoint, repo, framework, accelerator, instanceType, instanceSize, vendor, region, task, revision, type, minReplica, maxReplica,
        };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var (min, max) = (context.ParseResult.GetValue(minReplica), context.ParseResult.GetValue(maxReplica));
            if (min < 0 || max < 1 || min > max)
            {
                throw new UsageException($"invalid replicas {min}..{max}: --min-replica must be 0 or more and at most --max-replica, which must be 1 or more");
            }
            var client = await ConnectAsync(context, api, ct).ConfigureAwait(false);
            var created = await client.Endpoints.CreateAsync(context.ParseResult.GetValue(endpoint)!, new InferenceEndpointCreateOptions
            {
                Repository = context.ParseResult.GetValue(repo)!,
                Framework = context.ParseResult.GetValue(framework)!,
                Accelerator = context.ParseResult.GetValue(accelerator)!,
                InstanceType = context.ParseResult.GetValue(instanceType)!,
                InstanceSize = context.ParseResult.GetValue(instanceSize)!,
                Vendor = context.ParseResult.GetValue(vendor)!,
                Region = context.ParseResult.GetValue(region)!,
                Task = context.ParseResult.GetValue(task),
                Revision = context.ParseResult.GetValue(revision),
                Type = context.ParseResult.GetValue(type)!,
                MinReplica = min,
                MaxReplica = max,
            }, ct).ConfigureAwait(false);
            var view = EndpointView.From(created);
            if (context.Output.Json)
            {
                context.Output.WriteJson(view, EndpointsCliJsonContext.Default.EndpointView);
            }
            else
            {
                context.Output.Success($"Deployed {view.Name} ({view.State}); hfctl endpoints wait {view.Name} waits until it answers");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(App app, Option<string?> api)
    {
        var endpoint = EndpointArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("delete", "Delete an Inference Endpoint") { endpoint, yes };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var id = context.ParseResult.GetValue(endpoint)!;
            var sure = context.ParseResult.GetValue(yes);
            Confirmation.RefuseUnanswerable(context, sure, $"delete the endpoint {id}");
            var client = await ConnectAsync(context, api, ct).ConfigureAwait(false);
            await Confirmation.RequireAsync(context, sure, $"delete the endpoint {id}", $"Delete the Inference Endpoint {id}? This cannot be undone.", ct).ConfigureAwait(false);
            await client.Endpoints.DeleteAsync(id, ct).ConfigureAwait(false);
            context.Output.Success($"Deleted {id}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Change(App app, Option<string?> api, string verb, string description, Func<InferenceEndpointsClient, string, CancellationToken, Task<InferenceEndpoint>> action)
    {
        var endpoint = EndpointArgument();
        var command = new Command(verb, description) { endpoint };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var client = await ConnectAsync(context, api, ct).ConfigureAwait(false);
            var view = EndpointView.From(await action(client.Endpoints, context.ParseResult.GetValue(endpoint)!, ct).ConfigureAwait(false));
            if (context.Output.Json)
            {
                context.Output.WriteJson(view, EndpointsCliJsonContext.Default.EndpointView);
            }
            else
            {
                context.Output.Success($"{view.Name} is {view.State}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Exit codes as <c>spaces wait</c>: 0 running and healthy, 8 failed, 9 timeout, 10 paused or
    /// scaled to zero (it will not start without a resume or a request).
    /// </summary>
    private static Command Wait(App app, Option<string?> api)
    {
        var endpoint = EndpointArgument();
        var timeout = new Option<string>("--timeout") { Description = "How long to wait, e.g. 90s, 10m (default 10m)", DefaultValueFactory = _ => "10m" };
        var interval = new Option<string>("--interval") { Description = "How often to ask the API, e.g. 5s (default 5s, as the official client)", DefaultValueFactory = _ => "5s" };
        var command = new Command("wait", "Wait until an endpoint runs and its health route answers; exit 0 ready, 8 failed, 9 timeout, 10 paused/scaled to zero") { endpoint, timeout, interval };
        command.SetAction(app.Handler(async (context, ct) =>
        {
            var limit = Duration.Parse(context.ParseResult.GetValue(timeout), "--timeout");
            var every = Duration.Parse(context.ParseResult.GetValue(interval), "--interval");
            var id = context.ParseResult.GetValue(endpoint)!;
            var client = await ConnectAsync(context, api, ct).ConfigureAwait(false);
            InferenceEndpoint settled;
            try
            {
                settled = await client.Endpoints.WaitAsync(id, new InferenceEndpointWaitOptions
                {
                    Timeout = limit,
                    PollInterval = every,
                    OnState = e =>
                    {
                        if (!context.Output.Settings.Quiet && !context.Output.Json)
                        {
                            context.Console.Err.WriteLine($"{e.Id}: {e.State}");
                        }
                    },
                }, ct).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new CommandFailedException(e.Message, SpaceExitCodes.Timeout);
            }
            var view = EndpointView.From(settled);
            var code = settled.State == InferenceEndpointState.Running ? ExitCodes.Ok
                : settled.State.IsFailure ? SpaceExitCodes.Failed
                : SpaceExitCodes.NotRunning;
            if (context.Output.Json)
            {
                context.Output.WriteJson(view, EndpointsCliJsonContext.Default.EndpointView);
            }
            else if (code == ExitCodes.Ok)
            {
                context.Output.Success($"{settled.Id} is running and healthy at {view.Url}");
            }
            if (code != ExitCodes.Ok)
            {
                var hint = settled.State == InferenceEndpointState.Paused ? " (hfctl endpoints resume starts it)"
                    : settled.State == InferenceEndpointState.ScaledToZero ? " (the next request or hfctl endpoints resume starts it)" : "";
                throw new CommandFailedException($"{settled.Id} is {settled.State}{(string.IsNullOrEmpty(settled.Message) ? "" : ": " + HfHub.DisplayText.OneLine(settled.Message))}{hint}", code);
            }
            return code;
        }));
        return command;
    }

    private static void Print(CommandContext context, EndpointView view)
    {
        if (context.Output.Json)
        {
            context.Output.WriteJson(view, EndpointsCliJsonContext.Default.EndpointView);
            return;
        }
        context.Output.WriteRecord(
        [
            ("name", view.Name),
            ("state", $"{view.State}{(string.IsNullOrEmpty(view.Message) ? "" : $" ({HfHub.DisplayText.OneLine(view.Message)})")}"),
            ("model", $"{view.Repository ?? "-"}{(view.Revision is { } r ? $"@{r}" : "")}{(view.Task is { } t ? $" ({t})" : "")}"),
            ("hardware", view.Hardware),
            ("replicas", $"{view.ReadyReplicas} ready of {view.TargetReplicas}"),
            ("type", view.Type ?? "-"),
            ("url", view.Url ?? "-"),
            ("health", view.HealthRoute),
            ("updated", view.UpdatedAt ?? "-"),
        ]);
    }
}

/// <summary>One endpoint as hfctl prints it.</summary>
public sealed record EndpointView(
    string Name, string Namespace, string State, string? Message, string? Type, string? Repository, string? Revision, string? Task,
    string Hardware, int ReadyReplicas, int TargetReplicas, string? Url, string HealthRoute, string? UpdatedAt)
{
    public static EndpointView From(InferenceEndpoint e) => new(
        e.Id, e.Namespace, e.State.Value, e.Message, e.Type, e.Repository, e.Revision, e.Task,
        string.Join(' ', new[] { e.Vendor, e.Region, e.InstanceType, e.InstanceSize }.Where(p => !string.IsNullOrEmpty(p))) is { Length: > 0 } hw ? hw : "-",
        e.ReadyReplicas, e.TargetReplicas, e.Url?.AbsoluteUri, e.HealthRoute, e.UpdatedAt?.ToString("O", CultureInfo.InvariantCulture));
}

/// <summary>Source-generated JSON for what <c>hfctl endpoints</c> prints with <c>--json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EndpointView))]
[JsonSerializable(typeof(List<EndpointView>))]
internal sealed partial class EndpointsCliJsonContext : JsonSerializerContext;
