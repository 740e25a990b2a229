using System.Text.Json;
using HfCtl.Testing;

namespace HfCtl.Tests.Api;

/// <summary><c>hfctl api</c> creating things and paging through listings on the local hub.</summary>
public sealed class ApiHubTests(LocalHubFixture hub) : IClassFixture<LocalHubFixture>
{
    private async Task<(CliRunner Cli, string User, string Token)> LoggedInAsync()
    {
        var (user, token) = await hub.CreateUserAsync("write");
        var cli = new CliRunner();
        cli.Variables["HF_ENDPOINT"] = hub.EndpointText;
        cli.Variables["HF_TOKEN"] = token;
        return (cli, user, token);
    }

    [Fact]
    public async Task Post_with_fields_creates_a_space_and_a_secret_whose_value_is_never_shown()
    {
        var (cli, user, token) = await LoggedInAsync();
        using var _ = cli;
        var space = LocalHubFixture.UniqueName("app");

        var create = await cli.RunAsync("api", "/api/repos/create", "-f", "type=space", "-f", $"name={space}", "-f", "sdk=docker", "-F", "private=true");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains($"{user}/{space}", create.Stdout);

        const string value = "postgres://db.example/secret-value-1234";
        var secret = await cli.RunAsync("api", "-X", "POST", $"/api/spaces/{user}/{space}/secrets",
            "-f", "key=DB_URL", "-f", $"value={value}", "-f", "description=database");
        Assert.True(secret.ExitCode == 0, secret.ToString());

        var list = await cli.RunAsync("api", $"/api/spaces/{user}/{space}/secrets");
        Assert.True(list.ExitCode == 0, list.ToString());
        using var secrets = JsonDocument.Parse(list.Stdout);
        Assert.Equal("database", secrets.RootElement.GetProperty("DB_URL").GetProperty("description").GetString());
        Assert.DoesNotContain(value, list.All);

        var again = await cli.RunAsync("api", "/api/repos/create", "-f", "type=space", "-f", $"name={space}", "-f", "sdk=docker");
        Assert.Equal(7, again.ExitCode);
        Assert.Contains("\"error\"", again.Stdout);
        Assert.DoesNotContain(token, create.All + secret.All + list.All + again.All);
    }

    [Fact]
    public async Task Paginate_joins_every_page_of_a_listing_into_one_array()
    {
        var (cli, user, _) = await LoggedInAsync();
        using var _ = cli;
        var names = Enumerable.Range(0, 5).Select(i => $"m{i}-{LocalHubFixture.UniqueName("r")}").ToList();
        foreach (var name in names)
        {
            var created = await cli.RunAsync("api", "/api/repos/create", "-f", "type=model", "-f", $"name={name}");
            Assert.True(created.ExitCode == 0, created.ToString());
        }

        var first = await cli.RunAsync("api", "-i", $"/api/models?author={user}&limit=2");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains(first.Stdout.Split('\n'), l => l.StartsWith("Link: <", StringComparison.OrdinalIgnoreCase) && l.EndsWith("rel=\"next\"", StringComparison.Ordinal));

        var all = await cli.RunAsync("api", "--paginate", $"/api/models?author={user}&limit=2");
        Assert.True(all.ExitCode == 0, all.ToString());
        using var listing = JsonDocument.Parse(all.Stdout);
        var ids = listing.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(names.Select(n => $"{user}/{n}").Order(), ids.Order());

        var viaFields = await cli.RunAsync("api", "--paginate", "-X", "GET", "/api/models", "-f", $"author={user}", "-F", "limit=2");
        Assert.Equal(all.Stdout, viaFields.Stdout);
    }
}
