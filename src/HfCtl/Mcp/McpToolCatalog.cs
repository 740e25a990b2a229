namespace HfCtl.Mcp;

/// <summary>Whether a tool only reads, or changes something on the Hub or on disk (refused without <c>--allow-writes</c>).</summary>
internal enum ToolKind
{
    Read,
    Write,
}

/// <summary>
/// What one tool call runs: an hfctl command line (never through a shell, never with a token in it),
/// optional standard input (how a secret value travels), and the values that must never show in a
/// result even if a server echoed them.
/// </summary>
internal sealed record CliCall(IReadOnlyList<string> Args)
{
    public string? Stdin { get; init; }
    public IReadOnlyList<string> Hidden { get; init; } = [];
}

/// <summary>One MCP tool: its name, what an agent should know to use it, its arguments and the command it runs.</summary>
internal sealed record McpTool(string Name, string Description, ToolKind Kind, ToolSchema Schema, Func<ToolArguments, CliCall> Build)
{
    /// <summary>Writes that cannot be undone by calling another tool (a restore replaces a file; a hardware change rebuilds).</summary>
    public bool Destructive { get; init; }

    /// <summary>A log: a long result keeps its last lines, not its first.</summary>
    public bool KeepLast { get; init; }

    /// <summary>What the summary line of a cut result tells the agent to do to see the rest.</summary>
    public string Hint { get; init; } = "narrow the call to see the rest";
}

/// <summary>
/// The skill's operations as MCP tools. Each is a thin mapping onto an hfctl command run in-process with
/// <c>--json</c>, so a tool answers exactly what the command would: the same checks, the same one-line
/// errors, the same exit-code meanings. Deletes are not offered at all.
/// </summary>
internal static class McpToolCatalog
{
    private static readonly ToolProperty SpaceArg = ToolProperty.Text("space", "The Space: namespace/name, or a name in your own namespace", required: true);
    private static readonly ToolProperty WaitArg = ToolProperty.Flag("wait", "Wait until the Space is RUNNING or fails (progress is reported while waiting)");
    private static readonly ToolProperty TimeoutArg = ToolProperty.Text("timeout", "How long to wait, e.g. 90s, 5m (default 5m)");
    private static readonly ToolProperty DatasetArg = ToolProperty.Text("dataset", "The private dataset that holds the data, namespace/name (default: the server's HF_PERSIST_DATASET)");
    private static readonly ToolProperty BucketArg = ToolProperty.Text("bucket", "Instead of a dataset, a private bucket: namespace/name[/prefix] or hf://buckets/namespace/name[/prefix] (default: the server's HF_PERSIST_BUCKET); keeps the 5 newest versions");

    public static IReadOnlyList<McpTool> All { get; } =
    [
        new("test_connection",
            "Check that the Hugging Face Hub is reachable (DNS, TCP, TLS, HTTP) and that the token is valid; with 'url', also check a Space app or any URL; with 'inference_endpoint', also check that Inference Endpoint's health route (its URL comes from the Endpoints API). Returns every step with its verdict, time and a hint on failure.",
            ToolKind.Read,
            new ToolSchema(
                ToolProperty.Text("url", "A dedicated URL to check as well, e.g. https://owner-name.hf.space"),
                ToolProperty.Text("inference_endpoint", "An Inference Endpoint to check as well: NAME (yours) or NAMESPACE/NAME; not together with 'url'")),
            a => new CliCall(["test-connection", "--json", .. Optional("--url", a.String("url")), .. Optional("--inference-endpoint", a.String("inference_endpoint"))])),

        new("whoami", "The account the token belongs to: user name, organisations, token name and role (the token itself is never shown).",
            ToolKind.Read, new ToolSchema(),
            _ => new CliCall(["auth", "whoami", "--json"])),

        new("spaces_list",
            "List Spaces with their stage (RUNNING, BUILDING, PAUSED, SLEEPING, RUNTIME_ERROR, …), hardware and app URL. Defaults to your own Spaces.",
            ToolKind.Read,
            new ToolSchema(
                ToolProperty.Text("author", "Only Spaces of this user or organisation (default: you)"),
                ToolProperty.Text("search", "Only Spaces whose id contains this text"),
                ToolProperty.Text("stage", "Only Spaces in this stage, e.g. RUNNING or RUNTIME_ERROR"),
                ToolProperty.Number("limit", "Fetch at most this many Spaces", 1, 10_000)),
            a => new CliCall(["spaces", "list", "--json",
                .. Optional("--author", a.String("author")), .. Optional("--search", a.String("search")),
                .. Optional("--stage", a.String("stage")), .. Optional("--limit", a.Int("limit")?.ToString(System.Globalization.CultureInfo.InvariantCulture))]))
        { Hint = "narrow it with 'author', 'search' or 'stage'" },

        new("space_info", "One Space: stage, hardware (current and requested), SDK, visibility, sleep time, app URL and the error message of a failed stage.",
            ToolKind.Read, new ToolSchema(SpaceArg),
            a => new CliCall(["spaces", "info", "--json", "--", a.RequiredString("space")])),

        new("space_logs",
            "The last lines of a Space's run log (or build log). Use it after a RUNTIME_ERROR or BUILD_ERROR to see why.",
            ToolKind.Read,
            new ToolSchema(SpaceArg,
                ToolProperty.Choice("log", "Which log: run (default) or build", "run", "build"),
                ToolProperty.Number("tail", "How many of the last lines (default 50)", 0, 10_000)),
            a => new CliCall(["spaces", "logs", "--json", .. Flag("--build", a.String("log") == "build"),
                "-n", (a.Int("tail") ?? 50).ToString(System.Globalization.CultureInfo.InvariantCulture), "--", a.RequiredString("space")]))
        { KeepLast = true, Hint = "the newest lines are shown; a smaller 'tail' gives fewer" },

        new("space_restart", "Restart (rebuild) a Space from any stage, PAUSED included; 'factory' rebuilds without the build cache.",
            ToolKind.Write,
            new ToolSchema(SpaceArg, ToolProperty.Flag("factory", "Factory reboot: rebuild from scratch"), WaitArg, TimeoutArg),
            a => new CliCall(["spaces", "restart", "--json", .. Flag("--factory", a.Bool("factory")), .. Wait(a), "--", a.RequiredString("space")])),

        new("space_pause", "Pause a Space: it stops and stays stopped (no billing) until restarted or woken up.",
            ToolKind.Write, new ToolSchema(SpaceArg),
            a => new CliCall(["spaces", "pause", "--json", "--", a.RequiredString("space")])),

        new("space_wakeup", "Wake a Space: restarts it if PAUSED or failed, visits its app URL if SLEEPING.",
            ToolKind.Write, new ToolSchema(SpaceArg, WaitArg, TimeoutArg),
            a => new CliCall(["spaces", "wakeup", "--json", .. Wait(a), "--", a.RequiredString("space")])),

        new("space_wait",
            "Wait until a Space stops building or starting. Succeeds when RUNNING; a tool error says the final stage otherwise (error stage, timeout, paused or sleeping).",
            ToolKind.Read, new ToolSchema(SpaceArg, TimeoutArg),
            a => new CliCall(["spaces", "wait", "--json", .. Optional("--timeout", a.String("timeout")), "--", a.RequiredString("space")])),

        new("space_create",
            "Create a Space. A docker Space gets a small working Dockerfile and app, so it builds and runs at once. "
                + "With template, the new Space is a copy of that Space (its files and SDK; secrets are not copied), as the Hub's Duplicate button makes it.",
            ToolKind.Write,
            new ToolSchema(
                ToolProperty.Text("name", "The Space: a name in your namespace, or namespace/name", required: true),
                ToolProperty.Choice("sdk", "docker (default), gradio or static; ignored with template", "docker", "gradio", "static"),
                ToolProperty.Flag("private", "Make the Space private"),
                ToolProperty.Text("hardware", "A hardware flavor, e.g. cpu-basic or t4-small (see space_hardware_get)"),
                ToolProperty.Text("template", "A Space to start from (namespace/name), copied into the new one")),
            a => a.String("template") is { } template
                ? new CliCall(["spaces", "duplicate", "--json", .. Flag("--private", a.Bool("private")),
                    .. Optional("--hardware", a.String("hardware")), "--", template, a.RequiredString("name")])
                : new CliCall(["spaces", "create", "--json", "--sdk", a.String("sdk") ?? "docker", .. Flag("--private", a.Bool("private")),
                    .. Optional("--hardware", a.String("hardware")), "--", a.RequiredString("name")])),

        new("space_hardware_get", "A Space's current and requested hardware flavor.",
            ToolKind.Read, new ToolSchema(SpaceArg),
            a => new CliCall(["spaces", "hardware", "--json", "--", a.RequiredString("space")])),

        new("space_hardware_set", "Request another hardware flavor for a Space (it rebuilds on it; GPU flavors are billed).",
            ToolKind.Write, new ToolSchema(SpaceArg, ToolProperty.Text("flavor", "The flavor, e.g. cpu-basic, cpu-upgrade, t4-small", required: true)),
            a => new CliCall(["spaces", "hardware", "--json", "--set", a.RequiredString("flavor"), "--", a.RequiredString("space")]))
        { Destructive = true },

        new("space_secrets_list", "The names of a Space's secrets and when they changed. Secret values can never be read back.",
            ToolKind.Read, new ToolSchema(SpaceArg),
            a => new CliCall(["spaces", "secrets", "list", "--json", "--", a.RequiredString("space")])),

        new("space_secret_set",
            "Add or update one secret of a Space (the Space restarts to pick it up). The value is sent to the Hub only and never appears in any result.",
            ToolKind.Write,
            new ToolSchema(SpaceArg,
                ToolProperty.Text("key", "The secret's name, e.g. OPENAI_API_KEY", required: true),
                ToolProperty.Text("value", "The secret's value", required: true),
                ToolProperty.Text("description", "What the secret is for")),
            a => new CliCall(["spaces", "secrets", "--set-key", a.RequiredString("key"), "--set-value", "-",
                .. Optional("--description", a.String("description")), "--", a.RequiredString("space")])
            {
                Stdin = a.RequiredString("value"),
                Hidden = [a.RequiredString("value")],
            }),

        new("space_variables_list", "A Space's public variables with their values.",
            ToolKind.Read, new ToolSchema(SpaceArg),
            a => new CliCall(["spaces", "variables", "list", "--json", "--", a.RequiredString("space")])),

        new("space_variable_set", "Add or update one public variable of a Space (visible to anyone who can see the Space; use space_secret_set for credentials).",
            ToolKind.Write,
            new ToolSchema(SpaceArg,
                ToolProperty.Text("key", "The variable's name", required: true),
                ToolProperty.Text("value", "Its value", required: true)),
            a => new CliCall(["spaces", "variables", "add", "--json", "-e", $"{a.RequiredString("key")}={a.RequiredString("value")}", "--", a.RequiredString("space")])),

        new("persist_save",
            "Save a local file (a SQLite database is snapshotted consistently while in use) to a private dataset or bucket; skipped when unchanged. Refused if someone else saved a newer version first.",
            ToolKind.Write,
            new ToolSchema(
                ToolProperty.Text("local", "The local file, e.g. data/app.db", required: true),
                ToolProperty.Text("remote", "Its path in the dataset, e.g. db/app.db", required: true),
                DatasetArg,
                BucketArg,
                ToolProperty.Text("message", "Commit title")),
            a => new CliCall(["persist", "save", "--json", .. Optional("--dataset", a.String("dataset")), .. Optional("--bucket", a.String("bucket")), .. Optional("--message", a.String("message")),
                "--", a.LocalPath("local")!, a.RequiredString("remote")])),

        new("persist_restore",
            "Restore a file saved with persist_save (verified before it replaces anything). By default it does nothing when the local file exists; 'force' replaces it.",
            ToolKind.Write,
            new ToolSchema(
                ToolProperty.Text("remote", "The path in the dataset", required: true),
                ToolProperty.Text("local", "The local file to create", required: true),
                DatasetArg,
                BucketArg,
                ToolProperty.Text("revision", "A version from persist_history: a dataset's commit or a bucket's version id (default: the latest)"),
                ToolProperty.Flag("force", "Replace an existing local file")),
            a => new CliCall(["persist", "restore", "--json", .. Optional("--dataset", a.String("dataset")), .. Optional("--bucket", a.String("bucket")), .. Optional("--version", a.String("revision")),
                .. a.Bool("force") ? new[] { "--force" } : ["--if-local-missing"], "--", a.RequiredString("remote"), a.LocalPath("local")!]))
        { Destructive = true },

        new("persist_history", "The saved versions of a path in the persistence dataset, newest first (restore one with persist_restore and 'revision').",
            ToolKind.Read,
            new ToolSchema(ToolProperty.Text("remote", "The path in the dataset", required: true), DatasetArg, BucketArg),
            a => new CliCall(["persist", "history", "--json", .. Optional("--dataset", a.String("dataset")), .. Optional("--bucket", a.String("bucket")), "--", a.RequiredString("remote")])),

        new("download",
            "Download a model, dataset or Space (or some of its files) into a local folder.",
            ToolKind.Write,
            new ToolSchema(
                ToolProperty.Text("repo", "The repository, e.g. openai-community/gpt2", required: true),
                ToolProperty.Text("local_dir", "The folder to write the files into", required: true),
                ToolProperty.Choice("repo_type", "model (default), dataset or space", "model", "dataset", "space"),
                ToolProperty.List("files", "Only these files (default: the whole repository)"),
                ToolProperty.Text("revision", "A branch, tag or commit (default: main)")),
            a => new CliCall(["download", "--json", "--local-dir", a.LocalPath("local_dir")!,
                .. Optional("--repo-type", a.String("repo_type")), .. Optional("--revision", a.String("revision")),
                "--", a.RequiredString("repo"), .. a.Strings("files")])),

        new("hub_api_get",
            "GET any Hub API path, e.g. /api/spaces?author=me or /api/models/openai-community/gpt2, with the token. Only GET, only on the Hub's own host.",
            ToolKind.Read,
            new ToolSchema(
                ToolProperty.Text("path", "The API path, e.g. /api/whoami-v2 (a full URL only on the Hub's host)", required: true),
                ToolProperty.Flag("paginate", "Follow Link rel=next and join all pages")),
            a => new CliCall(["api", "--method", "GET", .. Flag("--paginate", a.Bool("paginate")), "--", a.RequiredString("path")]))
        { Hint = "narrow it with query parameters such as ?limit=, ?search= or ?author=" },
    ];

    private static IEnumerable<string> Optional(string flag, string? value) => value is null ? [] : [flag, value];

    private static IEnumerable<string> Flag(string flag, bool on) => on ? [flag] : [];

    private static IEnumerable<string> Wait(ToolArguments a) =>
        a.Bool("wait") ? ["--wait", .. Optional("--timeout", a.String("timeout"))] : [];
}
