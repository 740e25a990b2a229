using System.Text.Json;
using System.Text.Json.Serialization;
using HfCtl.Cli;
using HfCtl.Testing;

namespace HfCtl.Tests;

/// <summary>The shared <c>--json [fields]</c> contract, seen through real commands and the output layer.</summary>
public sealed partial class JsonOutputTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    public sealed record Item(string Name, string Stage, int Likes);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(List<Item>))]
    internal sealed partial class ItemJsonContext : JsonSerializerContext;

    private async Task<CliRunner> LoggedInAsync()
    {
        var (_, token) = await hub.CreateUserAsync("read");
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return cli;
    }

    [Fact]
    public async Task Json_alone_prints_the_full_object()
    {
        using var cli = await LoggedInAsync();
        var result = await cli.RunAsync("auth", "whoami", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("name", names);
        Assert.Contains("orgs", names);
        Assert.Contains("auth", names);
        Assert.Contains("type", names);
    }

    [Fact]
    public async Task Json_with_fields_prints_only_those_in_the_given_order()
    {
        using var cli = await LoggedInAsync();
        var result = await cli.RunAsync("auth", "whoami", "--json", "type,name");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal(["type", "name"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task An_unknown_field_exits_2_and_lists_the_valid_ones()
    {
        using var cli = await LoggedInAsync();
        var result = await cli.RunAsync("auth", "whoami", "--json", "name,nope");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("unknown JSON field 'nope'", result.Stderr);
        Assert.Contains("available fields: type, id, name", result.Stderr);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Listings_select_fields_on_every_item_and_are_never_capped()
    {
        var items = Enumerable.Range(0, 60).Select(i => new Item($"n{i}", "RUNNING", i)).ToList();
        var columns = new List<Column<Item>> { new("name", i => i.Name) };

        var all = Print(new OutputSettings(Json: true, JsonFields: null, All: false, Quiet: false), items, columns);
        using (var document = JsonDocument.Parse(all))
        {
            Assert.Equal(60, document.RootElement.GetArrayLength());
            Assert.Equal(3, document.RootElement[0].EnumerateObject().Count());
        }

        var some = Print(new OutputSettings(Json: true, JsonFields: ["likes", "name"], All: false, Quiet: false), items, columns);
        using (var document = JsonDocument.Parse(some))
        {
            Assert.Equal(60, document.RootElement.GetArrayLength());
            Assert.Equal("{\"likes\":0,\"name\":\"n0\"}", document.RootElement[0].GetRawText());
        }

        var error = Assert.Throws<UsageException>(() =>
            Print(new OutputSettings(Json: true, JsonFields: ["size"], All: false, Quiet: false), items, columns));
        Assert.Contains("available fields: name, stage, likes", error.Message);
    }

    private static string Print(OutputSettings settings, List<Item> items, List<Column<Item>> columns)
    {
        var stdout = new StringWriter();
        var console = new CliConsole(stdout, new StringWriter(), new StringReader(""), isOutputTerminal: false, isInputTerminal: false, color: false, width: 120);
        new Output(console, settings).WriteList(items, columns, ItemJsonContext.Default.ListItem, "items");
        return stdout.ToString();
    }
}
