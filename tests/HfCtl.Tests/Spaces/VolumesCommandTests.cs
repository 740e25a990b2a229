using System.Text.Json;
using HfCtl.Testing;
using HfHub;
using HfHub.Auth;
using HfHub.Spaces;

using static HfCtl.Tests.CliAssert;

namespace HfCtl.Tests.Spaces;

/// <summary><c>hfctl spaces volumes set|list|delete</c> and <c>-v</c> on create and duplicate, against a local hub.</summary>
public sealed class VolumesCommandTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private CliRunner Cli(string token) => CliRunner.Against(hub, token);

    private HubClient Client(string token) => new(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) });

    [Fact]
    public async Task Volumes_are_set_listed_shown_by_info_and_deleted()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        using var client = Client(token);
        Ok(await cli.RunAsync("spaces", "create", "app", "--sdk", "docker", "--empty"));

        var set = await cli.RunAsync("spaces", "volumes", "set", "app", "-v", "hf://buckets/ns/store:/data", "--volume", "hf://datasets/ns/ds@v2/train:/assets:ro");
        Ok(set);
        Assert.Contains($"Set 2 volumes on {user}/app: hf://buckets/ns/store:/data, hf://datasets/ns/ds@v2/train:/assets:ro", set.Stdout);
        var volumes = await client.Spaces.ListVolumesAsync($"{user}/app");
        Assert.Equal(["/data", "/assets"], volumes.Select(v => v.MountPath));
        Assert.True(volumes[0].IsWritable);

        var tsv = await cli.RunAsync("spaces", "volumes", "ls", "app");
        Ok(tsv);
        Assert.Equal("/data\tbucket\tns/store\t\t\trw\n/assets\tdataset\tns/ds\tv2\ttrain\tro", tsv.Stdout.Trim().Replace("\r", ""));
        cli.Terminal = true;
        var table = await cli.RunAsync("spaces", "volumes", "list", "app");
        Assert.Contains("MOUNT", table.Stdout);
        Assert.Contains("ns/store", table.Stdout);
        cli.Terminal = false;
        var json = await cli.RunAsync("--json", "spaces", "volumes", "list", "app");
        Ok(json);
        var listed = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("{\"type\":\"bucket\",\"source\":\"ns/store\",\"mountPath\":\"/data\"}", listed[0].GetRawText());
        Assert.True(listed[1].GetProperty("readOnly").GetBoolean());

        var info = await cli.RunAsync("spaces", "info", "app");
        Ok(info);
        Assert.Matches("\nvolume: +hf://buckets/ns/store:/data\nvolume: +hf://datasets/ns/ds@v2/train:/assets:ro\n", info.Stdout.Replace("\r", ""));
        var infoJson = JsonDocument.Parse((await cli.RunAsync("--json", "spaces", "info", "app")).Stdout).RootElement;
        Assert.Equal(2, infoJson.GetProperty("volumes").GetArrayLength());

        // Without a terminal and without -y nothing is deleted.
        OneLineError(await cli.RunAsync("spaces", "volumes", "delete", "app"), 2, "pass -y");
        Assert.Equal(2, (await client.Spaces.ListVolumesAsync($"{user}/app")).Count);
        cli.InputTerminal = true;
        cli.Stdin = "n\n";
        var declined = await cli.RunAsync("spaces", "volumes", "delete", "app");
        Assert.True(declined.ExitCode == 1, declined.ToString());
        Assert.Contains($"Remove all 2 volumes from {user}/app? Data in buckets stays, the Space no longer sees it. [y/N] error: cancelled", declined.Stderr);
        Assert.Equal(2, (await client.Spaces.ListVolumesAsync($"{user}/app")).Count);
        cli.InputTerminal = false;

        var deleted = await cli.RunAsync("spaces", "volumes", "delete", "app", "-y");
        Ok(deleted);
        Assert.Contains($"Removed the volumes of {user}/app", deleted.Stdout);
        Assert.Empty(await client.Spaces.ListVolumesAsync($"{user}/app"));
        Assert.Matches("\nvolumes: +none\n", (await cli.RunAsync("spaces", "info", "app")).Stdout.Replace("\r", ""));
        OneLineError(await cli.RunAsync("spaces", "volumes", "delete", "app", "-y"), 5, "has no volumes");
    }

    [Fact]
    public async Task Create_and_duplicate_take_volumes()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        using var client = Client(token);
        Ok(await cli.RunAsync("spaces", "create", "orig", "--sdk", "docker", "--empty", "-v", "hf://buckets/ns/b:/data"));
        Assert.Equal("ns/b", Assert.Single(await client.Spaces.ListVolumesAsync($"{user}/orig")).Source);

        Ok(await cli.RunAsync("spaces", "duplicate", "orig", "copy", "-v", "hf://ns/model:/models", "-v", "hf://spaces/ns/other:/other"));
        var copied = await client.Spaces.ListVolumesAsync($"{user}/copy");
        Assert.Equal([SpaceVolumeType.Model, SpaceVolumeType.Space], copied.Select(v => v.Type));
        Assert.All(copied, v => Assert.False(v.IsWritable));
    }

    [Fact]
    public async Task Bad_volumes_are_refused_before_anything_changes()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        using var client = Client(token);
        Ok(await cli.RunAsync("spaces", "create", "kept", "--sdk", "docker", "--empty", "-v", "hf://buckets/ns/b:/data"));
        OneLineError(await cli.RunAsync("spaces", "volumes", "set", "kept"), 2, "at least one volume");
        OneLineError(await cli.RunAsync("spaces", "volumes", "set", "kept", "-v", "hf://buckets/ns/b@v1:/data"), 2, "buckets have no revisions");
        OneLineError(await cli.RunAsync("spaces", "volumes", "set", "kept", "-v", "hf://ns/m:/"), 2, "cannot be '/'");
        Assert.Equal("/data", Assert.Single(await client.Spaces.ListVolumesAsync($"{user}/kept")).MountPath);

        Ok(await cli.RunAsync("spaces", "create", "site", "--sdk", "static", "--empty"));
        OneLineError(await cli.RunAsync("spaces", "volumes", "set", "site", "-v", "hf://buckets/ns/b:/data"), 1, "volumes are not supported on static Spaces");
    }

    [Fact]
    public async Task A_missing_source_is_refused_and_a_private_one_is_masked_for_others()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        Ok(await cli.RunAsync("buckets", "create", "private-data"));
        Ok(await cli.RunAsync("spaces", "create", "app", "--sdk", "docker", "--empty"));
        OneLineError(await cli.RunAsync("spaces", "volumes", "set", "app", "-v", $"hf://buckets/{user}/no-such:/data"), 1,
            $"bucket {user}/no-such not found (it does not exist or you cannot read it)");
        Ok(await cli.RunAsync("spaces", "volumes", "set", "app", "-v", $"hf://buckets/{user}/private-data:/data", "-v", "hf://datasets/ns/ds:/assets"));

        var (_, strangerToken) = await hub.CreateUserAsync();
        using var stranger = Cli(strangerToken);
        var listed = await stranger.RunAsync("spaces", "volumes", "ls", $"{user}/app");
        Ok(listed);
        Assert.Equal("/data\tbucket\t****/******\t\t\trw\n/assets\tdataset\tns/ds\t\t\tro", listed.Stdout.Trim().Replace("\r", ""));
        var info = await stranger.RunAsync("spaces", "info", $"{user}/app");
        Ok(info);
        Assert.Contains("bucket ****/****** (private) at /data (rw)", info.Stdout);
        Assert.DoesNotContain("private-data", info.All);
        Assert.Contains($"hf://buckets/{user}/private-data:/data", (await cli.RunAsync("spaces", "info", "app")).Stdout);
        OneLineError(await stranger.RunAsync("spaces", "create", "copycat", "--sdk", "docker", "--empty", "-v", $"hf://buckets/{user}/private-data:/data"), 1, "not found");
    }

    [Fact]
    public async Task The_readme_recipe_mounts_a_bucket_and_a_dataset()
    {
        // README "Space volumes": its command lines, run as a user types them (comments dropped).
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")).Replace("\r", "", StringComparison.Ordinal);
        var section = readme[readme.IndexOf("### Space volumes", StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```bash\n", StringComparison.Ordinal) + 8)..];
        var lines = block[..block.IndexOf("```", StringComparison.Ordinal)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        var (user, token) = await hub.CreateUserAsync();
        using var cli = Cli(token);
        using var client = Client(token);
        var outputs = new List<string>();
        foreach (var line in lines)
        {
            var words = line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("hfctl", words[0]);
            if (words[1..3] is ["spaces", "volumes"] && words[3] == "delete")
            {
                Assert.Equal(2, (await client.Spaces.ListVolumesAsync($"{user}/web")).Count);
            }
            var result = await cli.RunAsync(words[1..]);
            Ok(result);
            outputs.Add(result.Stdout);
        }
        Assert.Contains("/data\tbucket\tmy-org/web-data\t\t\trw", outputs[2]);
        Assert.Contains("/assets\tdataset\tmy-org/assets\t\t\tro", outputs[2]);
        Assert.Empty(await client.Spaces.ListVolumesAsync($"{user}/web"));
    }
}
