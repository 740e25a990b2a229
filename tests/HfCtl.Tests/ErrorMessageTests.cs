using HfCtl.Cli;
using HfCtl.Testing;
using HfCtl.Tests.Api;

namespace HfCtl.Tests;

/// <summary>
/// One-line errors say what is wrong in the user's terms: System.CommandLine's lists of choices on
/// one line, no CLR type names for a number out of range, no "(Parameter 'path')", no
/// "SqliteException" for a damaged database and no .NET type for an odd body from the server.
/// </summary>
public sealed class ErrorMessageTests
{
    private static string ErrorLine(CliResult result)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr: {result}");
        return lines[0];
    }

    [Fact]
    public async Task A_choice_that_is_not_among_the_allowed_ones_lists_them_on_one_line()
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync("spaces", "action", "me/web", "explode");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("error: Argument 'explode' not recognized; must be one of: restart, pause, wakeup (run 'hfctl spaces action --help' for usage)", ErrorLine(result));
    }

    [Theory]
    [InlineData("spaces secrets add", "hfctl spaces secrets add <space> [options]")]
    [InlineData("spaces secrets delete", "hfctl spaces secrets delete <space> <key> [options]")]
    [InlineData("spaces secrets list", "hfctl spaces secrets list <space> [options]")]
    public async Task Help_shows_each_subcommand_with_its_own_arguments_only(string command, string usage)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync([.. command.Split(' '), "--help"]);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n');
        var shown = lines[Array.IndexOf(lines, "Usage:") + 1].Trim();
        Assert.Equal(usage[usage.IndexOf(' ', StringComparison.Ordinal)..], shown[shown.IndexOf(' ', StringComparison.Ordinal)..]); // the root's name is the host's in-process
    }

    [Theory]
    [InlineData("spaces", "logs", "me/web", "-n", "99999999999999999999")]
    [InlineData("local-hub", "serve", "--in-memory", "--port", "99999999999999999999")]
    public async Task A_number_out_of_range_is_called_a_number_not_a_clr_type(params string[] args)
    {
        using var cli = new CliRunner();
        var result = await cli.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = ErrorLine(result);
        Assert.Contains("'99999999999999999999' is not a valid value for ", line, StringComparison.Ordinal);
        Assert.Contains("expected a whole number from -2147483648 to 2147483647", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--input", "api", "--input", "", "/api/repos/create")]
    [InlineData("--data", "local-hub", "serve", "--data", "")]
    public async Task An_empty_path_names_the_option_it_was_given_to(string option, params string[] args)
    {
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = "http://127.0.0.1:9";
        var result = await cli.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = ErrorLine(result);
        Assert.StartsWith($"error: {option} cannot be empty", line, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Argument_errors_from_dotnet_lose_their_parameter_suffix()
    {
        Assert.Equal("a file or folder path cannot be empty", App.ArgumentText(new ArgumentException("The value cannot be an empty string.", "path")));
        Assert.Equal("bad thing", App.ArgumentText(new ArgumentException("bad thing", "name")));
    }

    [Fact]
    public async Task A_damaged_local_hub_database_is_named_with_the_way_out()
    {
        using var cli = new CliRunner();
        var folder = Path.Combine(cli.HfHome, "hfctl", "local-hub");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "hub.db"), [.. "SQLite format 3\0"u8, .. Enumerable.Repeat((byte)0xFF, 4080)]);
        var result = await cli.RunAsync("--local", "spaces", "list");
        Assert.Equal(ExitCodes.Error, result.ExitCode);
        var line = ErrorLine(result);
        Assert.Contains($"the local hub's database {Path.Combine(folder, "hub.db")} is damaged (file is not a database)", line, StringComparison.Ordinal);
        Assert.Contains($"move the folder {folder} aside", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("SQLite Error", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_database_given_to_persist_save_is_called_damaged()
    {
        var hub = new LocalHubFixture();
        await hub.InitializeAsync();
        try
        {
            var (user, token) = await hub.CreateUserAsync();
            using var cli = new CliRunner();
            cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
            cli.Variables["HF_TOKEN"] = token;
            var database = Path.Combine(cli.HfHome, "app.db");
            await File.WriteAllBytesAsync(database, [.. "SQLite format 3\0"u8, .. Enumerable.Repeat((byte)0xFF, 4080)]);
            var result = await cli.RunAsync("persist", "save", database, "db/app.db", "-d", $"{user}/damaged-data");
            Assert.Equal(ExitCodes.Error, result.ExitCode);
            Assert.Equal($"error: '{database}' is damaged: SQLite says \"file is not a database\"; nothing was saved", ErrorLine(result));
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_odd_body_from_the_server_is_described_without_dotnet_types()
    {
        // A server that answers whoami with "auth" as a string instead of an object.
        using var server = new RecordingServer((_, _) => new ScriptedResponse(200, """{"type":"user","name":"odd","auth":"surprise"}"""));
        using var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = server.Origin;
        cli.Variables["HF_TOKEN"] = "hf_" + new string('q', 34);
        var result = await cli.RunAsync("auth", "whoami");
        Assert.NotEqual(ExitCodes.Ok, result.ExitCode);
        var line = ErrorLine(result);
        Assert.Contains("/api/whoami-v2 with JSON of an unexpected shape: the value at $.auth", line, StringComparison.Ordinal);
        Assert.DoesNotContain("HfHub.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("converted", line, StringComparison.Ordinal);
    }
}
