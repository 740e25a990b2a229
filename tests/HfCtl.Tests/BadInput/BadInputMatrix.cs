using HfCtl.Cli;
using HfCtl.Commands.Persist;

namespace HfCtl.Tests.BadInput;

/// <summary>
/// One row of the matrix: a command, a named bad input, and what hfctl must answer. <c>Token</c> is
/// what HF_TOKEN holds (write, read, revoked or unknown); <c>Endpoint</c> is hub (the local hub) or
/// html (the server answering HTML 502s).
/// </summary>
public sealed record BadInputCase(string Command, string Case, string[] Args, int Exit, string Token = "write", string Endpoint = "hub", string Stdin = "");

/// <summary>
/// How one command is called validly. <c>{id}</c>, <c>{text}</c> and <c>{rpath}</c> in the template are
/// the slots the bad values go into (a repo or Space id, a free-text value, a path in a repo); the
/// other placeholders are filled from <see cref="BadInputWorld.Fill"/>.
/// </summary>
internal sealed record CommandSpec(string Command, string[] Template)
{
    public string? Id { get; init; }
    public string? Text { get; init; }
    public string? RPath { get; init; }
    /// <summary>Talks to the Hub: gets the HTML 502, revoked, unknown token, bad endpoint and empty token rows.</summary>
    public bool Network { get; init; }
    /// <summary>Changes something on the Hub: gets the read-only token row.</summary>
    public bool Write { get; init; }
    public string Stdin { get; init; } = "";
    public int HtmlExit { get; init; } = ExitCodes.Error;
    /// <summary>Exit codes of text-slot rows that differ from 2 (usage).</summary>
    public Dictionary<string, int> TextExits { get; init; } = [];
    public (string Case, string[] Args, int Exit)[] Extra { get; init; } = [];
}

/// <summary>
/// The bad-input matrix: every hfctl command (checked against the real command tree) × malformed ids,
/// unknown flags, empty, huge and control-character values, lone surrogates, paths with '..' and
/// absolute paths, symbolic links pointing outside a folder, an HTML 502 from the server, revoked,
/// never-issued and read-only tokens.
/// </summary>
internal static class BadInputMatrix
{
    private const int Usage = ExitCodes.Usage;

    private static readonly string Huge = new('x', 100 * 1024);

    /// <summary>Malformed repo or Space ids.</summary>
    private static readonly (string Name, string Value)[] Ids =
    [
        ("empty", ""),
        ("two-slashes", "{user}/a/b"),
        ("dotdot", "{user}/a..b"),
        ("double-dash", "{user}/a--b"),
        ("dot-git", "{user}/a.git"),
        ("leading-dot", "{user}/.a"),
        ("space", "{user}/a b"),
        ("huge", "{user}/" + Huge),
        ("newline", "{user}/a\nb"),
        ("carriage-return", "{user}/a\rb"),
        ("escape", "{user}/\u001b[31mred"),
        ("nul", "{user}/a\0b"),
        ("lone-surrogate", "{user}/a\ud800b"),
        // Malformed hf:// URIs (a bucket's, which bucket commands take, has rows of its own where a repo is needed).
        ("uri-nothing", "hf://"),
        ("uri-singular-type", "hf://dataset/{user}/d"),
        ("uri-no-name", "hf://models/{user}"),
        ("uri-dotdot-path", "hf://{user}/m/../x"),
        ("uri-control-character", "hf://{user}/m\u001b[31m"),
    ];

    /// <summary>Values for a free-text argument or option.</summary>
    private static readonly (string Name, string Value)[] Texts =
    [
        ("empty", ""),
        ("huge", Huge),
        ("newline", "x\ny"),
        ("carriage-return", "x\ry"),
        ("escape", "\u001b[2Jx"),
        ("nul", "x\0y"),
        ("lone-surrogate", "x\udc00y"),
    ];

    /// <summary>Paths in a repo (or dataset) that would escape it.</summary>
    private static readonly (string Name, string Value)[] RepoPaths =
    [
        ("dotdot", "../escape.txt"),
        ("nested-dotdot", "a/../../escape.txt"),
        ("absolute", "/etc/passwd"),
        ("nul", "a\0b.txt"),
    ];

    public static IReadOnlyList<CommandSpec> Specs { get; } =
    [
        new("auth login", ["auth", "login"]) { Network = true, Stdin = "{token}\n", Extra = [("stdin-empty", ["auth", "login"], Usage)] },
        new("auth logout", ["auth", "logout"]),
        new("auth whoami", ["auth", "whoami"]) { Network = true },
        new("auth status", ["auth", "status"]) { Network = true },
        new("local-hub serve", ["local-hub", "serve", "--in-memory", "--port", "{text}"])
        {
            Text = "0",
            Extra =
            [
                ("port-out-of-range", ["local-hub", "serve", "--in-memory", "--port", "70000"], Usage),
                ("faults-garbage", ["local-hub", "serve", "--in-memory", "--faults", "rate=lots"], Usage),
                ("rate-limit-garbage", ["local-hub", "serve", "--in-memory", "--rate-limit", "api=lots"], Usage),
                ("rate-limit-unknown-pool", ["local-hub", "serve", "--in-memory", "--rate-limit", "pages=10"], Usage),
                ("bandwidth-garbage", ["local-hub", "serve", "--in-memory", "--bandwidth", "fast"], Usage),
                ("bandwidth-no-unit", ["local-hub", "serve", "--in-memory", "--bandwidth", "100"], Usage),
                ("bandwidth-zero", ["local-hub", "serve", "--in-memory", "--bandwidth", "0mbit"], Usage),
                ("in-memory-and-data", ["local-hub", "serve", "--in-memory", "--data", "{work}/hub"], Usage),
                ("config-missing", ["local-hub", "serve", "--in-memory", "--config", "{work}/no-such.json"], Usage),
                ("data-empty", ["local-hub", "serve", "--data", ""], Usage),
                ("port-beyond-int", ["local-hub", "serve", "--in-memory", "--port", "99999999999999999999"], Usage),
            ],
        },
        new("test-connection", ["test-connection", "--url", "{text}"])
        {
            Text = "{health}", Network = true, HtmlExit = ExitCodes.Network,
            Extra = [("timeout-garbage", ["test-connection", "--timeout", "soon"], Usage)],
        },
        // a.txt differs from what the dataset holds and --force skips the base check, so only the token stands in the way.
        new("persist save", ["persist", "save", "{work}/app/a.txt", "{rpath}", "-d", "{id}", "--force"])
        {
            Id = "{dataset}", RPath = "db/state.txt", Network = true, Write = true,
            Extra =
            [
                ("keep-zero", ["persist", "save", "{work}/file.txt", "db/state.txt", "-d", "{dataset}", "--keep", "0"], Usage),
                ("no-dataset", ["persist", "save", "{work}/file.txt", "db/state.txt"], Usage),
                ("local-is-a-folder", ["persist", "save", "{work}/app", "db/state.txt", "-d", "{dataset}"], ExitCodes.Error),
                ("local-damaged-database", ["persist", "save", "{work}/damaged.db", "db/damaged.db", "-d", "{dataset}"], ExitCodes.Error),
                ("dataset-and-bucket", ["persist", "save", "{work}/file.txt", "db/state.txt", "-d", "{dataset}", "--bucket", "{bucket}"], Usage),
                ("bucket-is-a-dataset-uri", ["persist", "save", "{work}/file.txt", "db/state.txt", "--bucket", "hf://datasets/{dataset}"], Usage),
                ("bucket-id-malformed", ["persist", "save", "{work}/file.txt", "db/state.txt", "--bucket", "{user}/a..b"], Usage),
                ("bucket-prefix-dotdot", ["persist", "save", "{work}/file.txt", "db/state.txt", "--bucket", "hf://buckets/{bucket}/../x"], Usage),
                ("bucket-without-namespace", ["persist", "save", "{work}/file.txt", "db/state.txt", "--bucket", "justaname"], Usage),
                ("dataset-as-uri", ["persist", "save", "{work}/file.txt", "db/state.txt", "-d", "hf://buckets/{bucket}"], Usage),
                ("bucket-folder", ["persist", "save", "{work}/app", "db/app", "--folder", "--bucket", "{bucket}"], Usage),
                ("bucket-keep-zero", ["persist", "save", "{work}/file.txt", "db/state.txt", "--bucket", "{bucket}", "--keep", "0"], Usage),
            ],
        },
        new("persist restore", ["persist", "restore", "{rpath}", "{work}/restored.txt", "-d", "{id}"])
        {
            Id = "{dataset}", RPath = "db/state.txt", Network = true,
            Extra =
            [
                ("dataset-and-bucket", ["persist", "restore", "db/state.txt", "{work}/restored.txt", "-d", "{dataset}", "-b", "{bucket}"], Usage),
                ("bucket-with-revision", ["persist", "restore", "db/state.txt", "{work}/restored.txt", "-b", "{bucket}", "--revision", "main"], Usage),
                ("version-and-revision", ["persist", "restore", "db/state.txt", "{work}/restored.txt", "-d", "{dataset}", "--version", "a", "--revision", "b"], Usage),
                ("version-empty", ["persist", "restore", "db/state.txt", "{work}/restored.txt", "-b", "{bucket}", "--version", ""], Usage),
                ("bucket-folder", ["persist", "restore", "db/app", "{work}/restored", "--folder", "-b", "{bucket}"], Usage),
                ("bucket-never-saved", ["persist", "restore", "db/state.txt", "{work}/restored.txt", "-b", "{bucket}", "--version", "20260101T000000000Z-000000"], ExitCodes.NotFound),
            ],
        },
        new("persist history", ["persist", "history", "{rpath}", "-d", "{id}"])
        {
            Id = "{dataset}", RPath = "db/state.txt", Network = true,
            Extra =
            [
                ("max-commits-garbage", ["persist", "history", "db/state.txt", "-d", "{dataset}", "--max-commits", "many"], Usage),
                ("dataset-and-bucket", ["persist", "history", "db/state.txt", "-d", "{dataset}", "-b", "{bucket}"], Usage),
                ("bucket-missing", ["persist", "history", "db/state.txt", "-b", "{user}/no-such-bucket"], ExitCodes.NotFound),
            ],
        },
        // No network rows: watch keeps retrying a failed save by design (a Space outlives a Hub hiccup).
        new("persist watch", ["persist", "watch", "{work}/file.txt", "{rpath}", "-d", "{id}", "--every", "1h"])
        {
            Id = "{dataset}", RPath = "db/state.txt",
            Extra =
            [
                ("every-garbage", ["persist", "watch", "{work}/file.txt", "db/state.txt", "-d", "{dataset}", "--every", "often"], Usage),
                ("local-is-a-folder", ["persist", "watch", "{work}/app", "db/state.txt", "-d", "{dataset}"], ExitCodes.Error),
                ("dataset-and-bucket", ["persist", "watch", "{work}/file.txt", "db/state.txt", "-d", "{dataset}", "-b", "{bucket}"], Usage),
                ("bucket-keep-zero", ["persist", "watch", "{work}/file.txt", "db/state.txt", "-b", "{bucket}", "--keep", "0"], Usage),
            ],
        },
        // The restore comes first and talks to the Hub (the local file does not exist), so the network
        // rows fail there, before the app starts; {work}/no-such-file is never created.
        new("persist run", ["persist", "run", "-d", "{id}", "--every", "1h", "{work}/no-such-file=db/state.txt", "--", "/bin/true"])
        {
            Id = "{dataset}", Network = true,
            Extra =
            [
                ("every-garbage", ["persist", "run", "-d", "{dataset}", "--every", "often", "{work}/file.txt=db/state.txt", "--", "/bin/true"], Usage),
                ("keep-zero", ["persist", "run", "-d", "{dataset}", "--keep", "0", "{work}/file.txt=db/state.txt", "--", "/bin/true"], Usage),
                ("no-dataset", ["persist", "run", "{work}/file.txt=db/state.txt", "--", "/bin/true"], Usage),
                ("no-double-dash", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=db/state.txt", "/bin/true"], Usage),
                ("no-command", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=db/state.txt", "--"], Usage),
                ("no-mapping", ["persist", "run", "-d", "{dataset}", "--", "/bin/true"], Usage),
                ("mapping-without-equals", ["persist", "run", "-d", "{dataset}", "{work}/file.txt", "--", "/bin/true"], Usage),
                ("mapping-empty-remote", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=", "--", "/bin/true"], Usage),
                ("mapping-repeated", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=db/a.txt", "{work}/file.txt=db/b.txt", "--", "/bin/true"], Usage),
                ("local-is-a-folder", ["persist", "run", "-d", "{dataset}", "{work}/app=db/app", "--", "/bin/true"], Usage),
                ("path-dotdot", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=../escape.txt", "--", "/bin/true"], Usage),
                ("path-absolute", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=/etc/passwd", "--", "/bin/true"], Usage),
                ("path-nul", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=a\0b.txt", "--", "/bin/true"], Usage),
                ("program-missing", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=db/state.txt", "--", "{work}/no-such-program"], RunCommand.CannotStart),
                ("program-empty", ["persist", "run", "-d", "{dataset}", "{work}/file.txt=db/state.txt", "--", ""], Usage),
                ("dataset-and-bucket", ["persist", "run", "-d", "{dataset}", "-b", "{bucket}", "{work}/file.txt=db/state.txt", "--", "/bin/true"], Usage),
                ("bucket-uri-without-id", ["persist", "run", "-b", "hf://buckets/", "{work}/file.txt=db/state.txt", "--", "/bin/true"], Usage),
            ],
        },
        new("repo create", ["repo", "create", "{id}"])
        {
            Id = "{user}/matrix-new", Network = true, Write = true,
            Extra = [("type-invalid", ["repo", "create", "{user}/matrix-new", "--type", "bogus"], Usage)],
        },
        new("repo delete", ["repo", "delete", "{id}", "-y"])
        {
            Id = "{model}", Network = true, Write = true,
            Extra =
            [
                ("no-confirmation", ["repo", "delete", "{model}"], Usage),
                ("uri-revision", ["repo", "delete", "hf://{model}@main", "-y"], Usage),
                ("uri-path", ["repo", "delete", "hf://{model}/a.txt", "-y"], Usage),
            ],
        },
        new("repo info", ["repo", "info", "{id}"])
        {
            Id = "{model}", Network = true,
            Extra =
            [
                ("uri-type-mismatch", ["repo", "info", "hf://datasets/{dataset}", "--type", "model"], Usage),
                ("uri-revision-mismatch", ["repo", "info", "hf://{model}@main", "--revision", "dev"], Usage),
                ("uri-path", ["repo", "info", "hf://{model}/a.txt"], Usage),
                ("uri-bucket", ["repo", "info", "hf://buckets/{user}/b"], Usage),
            ],
        },
        new("repo list", ["repo", "list", "--author", "{user}"])
        {
            Network = true,
            Extra =
            [
                ("limit-zero", ["repo", "list", "--limit", "0"], Usage),
                ("limit-garbage", ["repo", "list", "--limit", "many"], Usage),
                ("type-invalid", ["repo", "list", "--type", "bogus"], Usage),
            ],
        },
        new("repo files", ["repo", "files", "{id}", "{rpath}"]) { Id = "{model}", RPath = "sub", Network = true },
        new("upload", ["upload", "{id}", "{work}/file.txt", "{rpath}"])
        {
            Id = "{model}", RPath = "file.txt", Network = true, Write = true,
            Extra =
            [
                ("local-missing", ["upload", "{model}", "{work}/no-such-file"], Usage),
                ("symlink-outside", ["upload", "{model}", "{work}/with-link"], Usage),
                ("symlinked-folder-outside", ["upload", "{model}", "{work}/with-dir-link"], Usage),
                ("symlink-outside-new-repo", ["upload", "{user}/matrix-new", "{work}/with-link"], Usage),
                ("include-with-a-file", ["upload", "{model}", "{work}/file.txt", "--include", "*.txt"], Usage),
                ("uri-bucket", ["upload", "hf://buckets/{user}/b", "{work}/file.txt"], Usage),
                ("uri-path-and-path-in-repo", ["upload", "hf://{model}/x.txt", "{work}/file.txt", "y.txt"], Usage),
            ],
        },
        new("download", ["download", "{id}", "{rpath}"])
        {
            Id = "{model}", RPath = "a.txt", Network = true,
            Extra =
            [
                ("max-workers-zero", ["download", "{model}", "--max-workers", "0"], Usage),
                ("uri-path-and-files", ["download", "hf://{model}/a.txt", "sub/b.txt"], Usage),
                ("uri-bucket", ["download", "hf://buckets/{user}/b/a.txt"], Usage),
                // A refusal to write, not a usage error: exit 1 with the link named.
                ("local-dir-symlink-outside", ["download", "{model}", "sub/b.txt", "--local-dir", "{work}/download-target"], ExitCodes.Error),
            ],
        },
        new("spaces list", ["spaces", "list", "--author", "{user}"])
        {
            Network = true,
            Extra = [("limit-garbage", ["spaces", "list", "--limit", "many"], Usage)],
        },
        new("spaces search", ["spaces", "search", "matrix"])
        {
            Network = true,
            Extra =
            [
                ("query-empty", ["spaces", "search", " "], Usage),
                ("limit-zero", ["spaces", "search", "matrix", "--limit", "0"], Usage),
                ("limit-garbage", ["spaces", "search", "matrix", "--limit", "many"], Usage),
            ],
        },
        new("spaces info", ["spaces", "info", "{id}"])
        {
            Id = "{space}", Network = true,
            Extra =
            [
                ("uri-not-a-space", ["spaces", "info", "hf://{model}"], Usage),
                ("uri-dataset", ["spaces", "info", "hf://datasets/{dataset}"], Usage),
                ("uri-with-a-path", ["spaces", "info", "hf://spaces/{space}/app.py"], Usage),
                ("uri-bucket", ["spaces", "info", "hf://buckets/{user}/b"], Usage),
            ],
        },
        new("spaces card", ["spaces", "card", "{id}"])
        {
            Id = "{space}", Network = true,
            Extra = [("metadata-and-text", ["spaces", "card", "{space}", "--metadata", "--text"], Usage)],
        },
        new("spaces templates", ["spaces", "templates"]) { Network = true },
        new("spaces create", ["spaces", "create", "{id}", "--sdk", "docker", "--empty"])
        {
            Id = "{user}/matrix-new-space", Network = true, Write = true,
            Extra =
            [
                ("sdk-invalid", ["spaces", "create", "{user}/matrix-new-space", "--sdk", "cobol"], Usage),
                ("template-unknown", ["spaces", "create", "{user}/matrix-new-space", "--template", "no-such-template"], Usage),
                ("template-and-empty", ["spaces", "create", "{user}/matrix-new-space", "--template", "x", "--empty"], Usage),
                ("secret-key-invalid", ["spaces", "create", "{user}/matrix-new-space", "-s", "1BAD=x"], Usage),
                ("secrets-file-missing", ["spaces", "create", "{user}/matrix-new-space", "--secrets-file", "{work}/no-such.env"], Usage),
                ("timeout-garbage", ["spaces", "create", "{user}/matrix-new-space", "--wait", "--timeout", "soon"], Usage),
                .. VolumeRows(["spaces", "create", "{user}/matrix-new-space", "--sdk", "docker", "--empty"]),
                ("volume-on-static", ["spaces", "create", "{user}/matrix-new-space", "--sdk", "static", "-v", "hf://buckets/{user}/b:/data"], Usage),
            ],
        },
        new("spaces action", ["spaces", "action", "{id}", "restart"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra = [("action-invalid", ["spaces", "action", "{space}", "explode"], Usage)],
        },
        new("spaces restart", ["spaces", "restart", "{id}"]) { Id = "{space}", Network = true, Write = true },
        new("spaces pause", ["spaces", "pause", "{id}"]) { Id = "{space}", Network = true, Write = true },
        // Not a write here: waking a RUNNING Space only reads its runtime, which a read token may do.
        new("spaces wakeup", ["spaces", "wakeup", "{id}"]) { Id = "{space}", Network = true },
        new("spaces wait", ["spaces", "wait", "{id}", "--timeout", "30s"])
        {
            Id = "{space}", Network = true,
            Extra = [("timeout-garbage", ["spaces", "wait", "{space}", "--timeout", "soon"], Usage)],
        },
        new("buckets create", ["buckets", "create", "{id}"])
        {
            Id = "{user}/matrix-new-bucket", Network = true, Write = true,
            Extra = [("region-invalid", ["buckets", "create", "{user}/matrix-new-bucket", "--region", "mars"], Usage)],
        },
        new("buckets info", ["buckets", "info", "{id}"])
        {
            Id = "{bucket}", Network = true,
            Extra = [("with-path", ["buckets", "info", "hf://buckets/{bucket}/state.txt"], Usage)],
        },
        new("buckets list", ["buckets", "list", "--namespace", "{text}"]) { Text = "{user}", Network = true },
        new("buckets delete", ["buckets", "delete", "{id}", "-y"])
        {
            Id = "{bucket}", Network = true, Write = true,
            Extra =
            [
                ("no-confirmation", ["buckets", "delete", "{bucket}"], Usage),
                ("bucket-of-another-user", ["buckets", "delete", "{otherbucket}", "-y"], ExitCodes.Forbidden),
            ],
        },
        new("buckets move", ["buckets", "move", "{id}", "{user}/matrix-moved"]) { Id = "{bucket}", Network = true, Write = true },
        new("buckets ls", ["buckets", "ls", "hf://buckets/{bucket}/{rpath}"])
        {
            RPath = "sub", Network = true,
            Extra =
            [
                ("revision", ["buckets", "ls", "hf://buckets/{bucket}@main"], Usage),
                ("not-a-bucket", ["buckets", "ls", "hf://datasets/{dataset}"], Usage),
                ("empty-segment", ["buckets", "ls", "hf://buckets/{bucket}/a//b"], Usage),
                ("no-name", ["buckets", "ls", "hf://buckets/{user}"], Usage),
                ("too-long", ["buckets", "ls", "hf://buckets/{bucket}/" + new string('p', 1100)], Usage),
                ("traversal-in-id", ["buckets", "ls", "hf://buckets/../{bucket}"], Usage),
            ],
        },
        new("buckets cp", ["buckets", "cp", "{work}/file.txt", "hf://buckets/{bucket}/{rpath}"])
        {
            RPath = "copied.txt", Network = true, Write = true,
            Extra =
            [
                ("both-local", ["buckets", "cp", "{work}/file.txt", "{work}/copy.txt"], Usage),
                ("into-a-repo", ["buckets", "cp", "{work}/file.txt", "hf://datasets/{dataset}/x.txt"], Usage),
                ("missing-local-file", ["buckets", "cp", "{work}/no-such-file.txt", "hf://buckets/{bucket}/x.txt"], ExitCodes.NotFound),
                ("bucket-of-another-user", ["buckets", "cp", "{work}/file.txt", "hf://buckets/{otherbucket}/x.txt"], ExitCodes.Forbidden),
                ("copy-from-unreadable-repo", ["buckets", "cp", "hf://{otherrepo}/f.txt", "hf://buckets/{bucket}/stolen.txt"], ExitCodes.NotFound),
            ],
        },
        new("buckets rm", ["buckets", "rm", "hf://buckets/{bucket}/{rpath}", "-y"])
        {
            RPath = "state.txt", Network = true, Write = true,
            Extra =
            [
                ("no-confirmation", ["buckets", "rm", "hf://buckets/{bucket}/state.txt"], Usage),
                ("whole-bucket-without-r", ["buckets", "rm", "hf://buckets/{bucket}", "-y"], Usage),
                ("bucket-of-another-user", ["buckets", "rm", "hf://buckets/{otherbucket}/file.txt", "-y"], ExitCodes.Forbidden),
            ],
        },
        new("buckets sync", ["buckets", "sync", "{work}/app", "hf://buckets/{bucket}/{rpath}"])
        {
            RPath = "synced", Network = true, Write = true,
            Extra =
            [
                ("both-local", ["buckets", "sync", "{work}/app", "{work}/elsewhere"], Usage),
                ("delete-without-confirmation", ["buckets", "sync", "{work}/app", "hf://buckets/{bucket}/synced", "--delete"], Usage),
                ("missing-folder", ["buckets", "sync", "{work}/no-such-folder", "hf://buckets/{bucket}/synced"], ExitCodes.NotFound),
                ("bucket-of-another-user", ["buckets", "sync", "{work}/app", "hf://buckets/{otherbucket}/synced"], ExitCodes.Forbidden),
            ],
        },
        new("endpoints list", ["endpoints", "list", "--namespace", "{text}"]) { Text = "{user}", Network = true },
        new("endpoints info", ["endpoints", "info", "{text}"]) { Text = "matrix-endpoint", Network = true },
        new("endpoints deploy", ["endpoints", "deploy", "{text}", "--repo", "{model}", "--framework", "pytorch", "--accelerator", "cpu", "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1"])
        {
            Text = "matrix-deployed", Network = true, Write = true,
            Extra =
            [
                ("no-repo", ["endpoints", "deploy", "matrix-deployed", "--framework", "pytorch", "--accelerator", "cpu", "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1"], Usage),
                ("replicas-inverted", ["endpoints", "deploy", "matrix-deployed", "--repo", "{model}", "--framework", "pytorch", "--accelerator", "cpu", "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1", "--min-replica", "3", "--max-replica", "1"], Usage),
                ("type-unknown", ["endpoints", "deploy", "matrix-deployed", "--repo", "{model}", "--framework", "pytorch", "--accelerator", "cpu", "--instance-type", "intel-icl", "--instance-size", "x2", "--vendor", "aws", "--region", "us-east-1", "--type", "secret"], Usage),
            ],
        },
        new("endpoints delete", ["endpoints", "delete", "{text}", "-y"])
        {
            Text = "matrix-endpoint", Network = true, Write = true,
            Extra = [("no-terminal-no-yes", ["endpoints", "delete", "matrix-endpoint"], Usage)],
        },
        new("endpoints pause", ["endpoints", "pause", "{text}"]) { Text = "matrix-endpoint", Network = true, Write = true },
        new("endpoints resume", ["endpoints", "resume", "{text}"]) { Text = "matrix-endpoint", Network = true, Write = true },
        new("endpoints scale-to-zero", ["endpoints", "scale-to-zero", "{text}"]) { Text = "matrix-endpoint", Network = true, Write = true },
        new("endpoints wait", ["endpoints", "wait", "{text}", "--timeout", "30s", "--interval", "1s"])
        {
            Text = "matrix-endpoint", Network = true,
            Extra =
            [
                ("timeout-garbage", ["endpoints", "wait", "matrix-endpoint", "--timeout", "soon"], Usage),
                ("endpoints-url-garbage", ["endpoints", "wait", "matrix-endpoint", "--endpoints-url", "ftp://x"], Usage),
            ],
        },
        new("spaces dev-mode", ["spaces", "dev-mode", "{id}", "--stop"]) { Id = "{space}", Network = true, Write = true },
        new("spaces logs", ["spaces", "logs", "{id}"])
        {
            Id = "{space}", Network = true,
            Extra =
            [
                ("tail-garbage", ["spaces", "logs", "{space}", "-n", "many"], Usage),
                ("tail-beyond-int", ["spaces", "logs", "{space}", "-n", "99999999999999999999"], Usage),
            ],
        },
        new("spaces settings", ["spaces", "settings", "{id}", "--sleep-time", "3600"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra =
            [
                ("nothing-to-change", ["spaces", "settings", "{space}"], Usage),
                ("sleep-time-zero", ["spaces", "settings", "{space}", "--sleep-time", "0"], Usage),
            ],
        },
        new("spaces hardware", ["spaces", "hardware", "{id}", "--set", "cpu-upgrade"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra = [("set-without-space", ["spaces", "hardware", "--set", "cpu-upgrade"], Usage)],
        },
        new("spaces secrets", ["spaces", "secrets", "{id}", "--set_key", "MATRIX_NEW", "--set_value", "-"])
        {
            Id = "{space}", Network = true, Write = true, Stdin = "a-new-value",
            Extra =
            [
                ("neither-get-nor-set", ["spaces", "secrets", "{space}"], Usage),
                ("key-invalid", ["spaces", "secrets", "{space}", "--set_key", "1 BAD", "--set_value", "-"], Usage),
                ("key-newline", ["spaces", "secrets", "{space}", "--set_key", "A\nB", "--set_value", "-"], Usage),
                ("value-missing", ["spaces", "secrets", "{space}", "--set_key", "MATRIX_NEW"], Usage),
                ("stdin-empty", ["spaces", "secrets", "{space}", "--set_key", "MATRIX_NEW", "--set_value", "-"], Usage),
            ],
        },
        new("spaces secrets list", ["spaces", "secrets", "list", "{id}"]) { Id = "{space}", Network = true },
        new("spaces secrets add", ["spaces", "secrets", "add", "{id}", "-s", "MATRIX_NEW=v"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra =
            [
                ("nothing-to-add", ["spaces", "secrets", "add", "{space}"], Usage),
                ("key-from-unset-variable", ["spaces", "secrets", "add", "{space}", "-s", "MATRIX_UNSET"], Usage),
                ("key-escape", ["spaces", "secrets", "add", "{space}", "-s", "\u001b[2J=x"], Usage),
            ],
        },
        new("spaces secrets delete", ["spaces", "secrets", "delete", "{id}", "MATRIX_SECRET", "-y"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra =
            [
                ("no-confirmation", ["spaces", "secrets", "delete", "{space}", "MATRIX_SECRET"], Usage),
                ("missing-key", ["spaces", "secrets", "delete", "{space}", "MATRIX_NOPE", "-y"], ExitCodes.NotFound),
            ],
        },
        new("spaces variables list", ["spaces", "variables", "list", "{id}"]) { Id = "{space}", Network = true },
        new("spaces variables add", ["spaces", "variables", "add", "{id}", "-e", "MATRIX_NEW=v"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra =
            [
                ("nothing-to-add", ["spaces", "variables", "add", "{space}"], Usage),
                ("env-file-missing", ["spaces", "variables", "add", "{space}", "--env-file", "{work}/no-such.env"], Usage),
            ],
        },
        new("spaces variables delete", ["spaces", "variables", "delete", "{id}", "MATRIX_VAR", "-y"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra =
            [
                ("no-confirmation", ["spaces", "variables", "delete", "{space}", "MATRIX_VAR"], Usage),
                ("missing-key", ["spaces", "variables", "delete", "{space}", "MATRIX_NOPE", "-y"], ExitCodes.NotFound),
            ],
        },
        new("spaces duplicate", ["spaces", "duplicate", "{id}", "{user}/matrix-copy"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra = VolumeRows(["spaces", "duplicate", "{space}", "{user}/matrix-copy"]),
        },
        new("spaces volumes set", ["spaces", "volumes", "set", "{id}", "-v", "{text}"])
        {
            Id = "{space}", Text = "hf://buckets/{user}/matrix-bucket:/data", Network = true, Write = true,
            Extra = [("no-volume", ["spaces", "volumes", "set", "{space}"], Usage), .. VolumeRows(["spaces", "volumes", "set", "{space}"])],
        },
        new("spaces volumes list", ["spaces", "volumes", "list", "{id}"]) { Id = "{space}", Network = true },
        new("spaces volumes delete", ["spaces", "volumes", "delete", "{id}", "-y"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra = [("no-confirmation", ["spaces", "volumes", "delete", "{space}"], Usage)],
        },
        new("spaces delete", ["spaces", "delete", "{id}", "-y"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra = [("no-confirmation", ["spaces", "delete", "{space}"], Usage)],
        },
        new("spaces deploy", ["spaces", "deploy", "{id}", "{work}/app", "--no-wait"])
        {
            Id = "{space}", Network = true, Write = true,
            Extra =
            [
                ("folder-missing", ["spaces", "deploy", "{space}", "{work}/no-such-folder"], Usage),
                ("symlink-outside", ["spaces", "deploy", "{space}", "{work}/with-link", "--no-wait"], Usage),
                ("symlink-outside-new-space", ["spaces", "deploy", "{user}/matrix-new-space", "{work}/with-link", "--create", "--no-wait"], Usage),
                ("timeout-garbage", ["spaces", "deploy", "{space}", "{work}/app", "--timeout", "soon"], Usage),
            ],
        },
        new("api", ["api", "{text}"])
        {
            // A 100 KB path is sent as typed: the Hub's 414 is the answer (exit 1).
            Text = "/api/whoami-v2", Network = true, TextExits = new() { ["huge"] = ExitCodes.Error },
            Extra =
            [
                ("method-invalid", ["api", "-X", "GE T", "/api/whoami-v2"], Usage),
                ("other-host", ["api", "https://example.invalid/api/whoami-v2"], Usage),
                ("header-invalid", ["api", "-H", "no colon here", "/api/whoami-v2"], Usage),
                ("header-newline", ["api", "-H", "X-A: b\r\nX-Injected: 1", "/api/whoami-v2"], Usage),
                ("input-missing", ["api", "--input", "{work}/no-such.json", "/api/repos/create"], Usage),
                ("input-empty", ["api", "--input", "", "/api/repos/create"], Usage),
                ("paginate-post", ["api", "--paginate", "-X", "POST", "/api/repos/create"], Usage),
            ],
        },
        new("completion", ["completion", "{text}"]) { Text = "bash" },
        // Every row is refused before the server starts reading stdin (a valid one would serve until EOF).
        new("mcp", ["mcp", "--tools", "{text}"])
        {
            Text = "not_a_tool",
            Extra =
            [
                ("both-modes", ["mcp", "--allow-writes", "--read-only"], Usage),
                ("tools-only-commas", ["mcp", "--tools", ",,"], Usage),
                ("tools-one-unknown", ["mcp", "--tools", "whoami,space_delete"], Usage),
            ],
        },
    ];

    /// <summary>Commands that only group others: called bare or with an unknown subcommand.</summary>
    public static IReadOnlyList<string> Groups { get; } = ["auth", "buckets", "endpoints", "local-hub", "persist", "repo", "spaces", "spaces variables", "spaces volumes"];

    /// <summary>Bad <c>-v</c> volumes for a command that takes them (<paramref name="command"/> without its <c>-v</c>).</summary>
    private static (string Case, string[] Args, int Exit)[] VolumeRows(string[] command) =>
    [
        ("volume-relative-mount", [.. command, "-v", "hf://buckets/{user}/b:data"], Usage),
        ("volume-root-mount", [.. command, "-v", "hf://buckets/{user}/b:/"], Usage),
        ("volume-mount-taken-twice", [.. command, "-v", "hf://buckets/{user}/b:/data", "-v", "hf://{user}/model:/data"], Usage),
        ("volume-read-write-dataset", [.. command, "-v", "hf://datasets/{user}/d:/data:rw"], Usage),
        ("volume-bad-uri", [.. command, "-v", "https://huggingface.co/{user}/model:/data"], Usage),
        ("volume-unknown-type", [.. command, "-v", "hf://dataset/{user}/d:/data"], Usage),
        ("volume-traversal", [.. command, "-v", "hf://buckets/{user}/b/../other:/data"], Usage),
        ("volume-bucket-revision", [.. command, "-v", "hf://buckets/{user}/b@main:/data"], Usage),
    ];

    public static IReadOnlyList<BadInputCase> All { get; } = Build();

    public static BadInputCase Find(string command, string @case) =>
        All.Single(c => c.Command == command && c.Case == @case);

    private static List<BadInputCase> Build()
    {
        var rows = new List<BadInputCase>();
        foreach (var group in Groups)
        {
            var words = group.Split(' ');
            rows.Add(new(group, "missing-subcommand", words, Usage));
            rows.Add(new(group, "unknown-subcommand", [.. words, "frobnicate"], Usage));
        }
        foreach (var spec in Specs)
        {
            rows.AddRange(Rows(spec));
        }
        return rows;
    }

    private static IEnumerable<BadInputCase> Rows(CommandSpec spec)
    {
        string[] Fill(string? id = null, string? text = null, string? rpath = null) =>
        [
            .. spec.Template.Select(a => a switch
            {
                "{id}" => id ?? spec.Id!,
                "{text}" => text ?? spec.Text!,
                "{rpath}" => rpath ?? spec.RPath!,
                // A path inside a location (hf://buckets/ns/b/{rpath}) takes the bad values too.
                _ when spec.RPath is not null && a.Contains("{rpath}", StringComparison.Ordinal) => a.Replace("{rpath}", rpath ?? spec.RPath, StringComparison.Ordinal),
                _ => a,
            }),
        ];
        BadInputCase Row(string name, string[] args, int exit, string token = "write", string endpoint = "hub") =>
            new(spec.Command, name, args, exit, token, endpoint, spec.Stdin);

        // Added flags go before a '--': what follows it is another program's command line (persist run).
        string[] With(params string[] flags)
        {
            var filled = Fill();
            var at = Array.IndexOf(filled, "--") is var found and >= 0 ? found : filled.Length;
            return [.. filled[..at], .. flags, .. filled[at..]];
        }
        yield return Row("unknown-flag", With("--no-such-flag"), Usage);
        // Before the arguments: where an optional or repeated argument could swallow it as a value.
        var words = spec.Command.Split(' ').Length;
        yield return Row("unknown-flag-early", [.. Fill()[..words], "--no-such-flag", .. Fill()[words..]], Usage);
        if (spec.Id is not null)
        {
            foreach (var (name, value) in Ids)
            {
                yield return Row($"id-{name}", Fill(id: value), Usage);
            }
        }
        if (spec.Text is not null)
        {
            foreach (var (name, value) in Texts)
            {
                yield return Row($"text-{name}", Fill(text: value), spec.TextExits.GetValueOrDefault(name, Usage));
            }
        }
        if (spec.RPath is not null)
        {
            foreach (var (name, value) in RepoPaths)
            {
                yield return Row($"path-{name}", Fill(rpath: value), Usage);
            }
        }
        if (spec.Network)
        {
            yield return Row("html-502", Fill(), spec.HtmlExit, endpoint: "html");
            yield return Row("revoked-token", Fill(), ExitCodes.Auth, token: "revoked");
            yield return Row("unknown-token", Fill(), ExitCodes.Auth, token: "unknown");
            yield return Row("endpoint-garbage", With("--endpoint", "ftp://not a hub"), Usage);
            yield return Row("token-empty", With("--token", ""), Usage);
        }
        if (spec.Write)
        {
            yield return Row("read-token", Fill(), ExitCodes.Forbidden, token: "read");
        }
        foreach (var (name, args, exit) in spec.Extra)
        {
            yield return Row(name, args, exit) with { Stdin = name == "stdin-empty" ? "" : spec.Stdin };
        }
        if (spec.Command == "api")
        {
            // A read token writing through the raw API: the Hub's 403, as exit 6.
            yield return Row("read-token", ["api", "-X", "POST", "/api/repos/create", "-f", "name=matrix-api", "-f", "type=model"], ExitCodes.Forbidden, token: "read");
        }
    }
}
