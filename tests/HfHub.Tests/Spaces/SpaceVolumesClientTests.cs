using System.Text;
using System.Text.Json;
using HfCtl.Testing;
using HfHub.Auth;
using HfHub.Http;
using HfHub.Spaces;

namespace HfHub.Tests.Spaces;

/// <summary>Space volumes through <see cref="SpacesClient"/> against the local hub.</summary>
public sealed class SpaceVolumesClientTests(SpacesHubFixture hub) : IClassFixture<SpacesHubFixture>
{
    private HubClient Client(string token) => new(new HubClientOptions { Endpoint = hub.Endpoint, Token = HfToken.FromValue(token) });

    private static SpaceVolume Bucket(string mount = "/data") => SpaceVolume.From(HfMount.Parse($"hf://buckets/ns/my-bucket:{mount}"));

    [Fact]
    public async Task Volumes_set_replace_read_back_from_the_runtime_and_delete()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/vols";
        await client.Spaces.CreateAsync(id, new SpaceCreateOptions { Sdk = "docker" });
        Assert.Null((await client.Spaces.GetRuntimeAsync(id)).Volumes);
        Assert.Empty(await client.Spaces.ListVolumesAsync(id));

        var dataset = SpaceVolume.From(HfMount.Parse("hf://datasets/ns/ds@refs/pr/3/sub/dir:/assets:ro"));
        await client.Spaces.SetVolumesAsync(id, [Bucket(), dataset]);
        var runtime = await client.Spaces.GetRuntimeAsync(id);
        Assert.Equal([Bucket(), dataset], runtime.Volumes!);
        Assert.Equal(SpaceVolumeType.Dataset, runtime.Volumes![1].Type);
        Assert.Equal("refs/pr/3", runtime.Volumes[1].Revision);
        Assert.Equal("sub/dir", runtime.Volumes[1].Path);
        Assert.True(runtime.Volumes[0].IsWritable);
        Assert.False(runtime.Volumes[1].IsWritable);
        Assert.Equal("hf://datasets/ns/ds@refs/pr/3/sub/dir:/assets:ro", runtime.Volumes[1].ToMountString());

        await client.Spaces.SetVolumesAsync(id, [Bucket("/mnt")]);
        Assert.Equal([Bucket("/mnt")], await client.Spaces.ListVolumesAsync(id));

        await client.Spaces.DeleteVolumesAsync(id);
        Assert.Empty(await client.Spaces.ListVolumesAsync(id));
        var again = await Assert.ThrowsAnyAsync<HubException>(() => client.Spaces.DeleteVolumesAsync(id));
        Assert.Equal(400, again.Status);
    }

    [Fact]
    public async Task Volumes_given_at_create_and_duplicate_are_mounted_and_a_repo_is_read_only()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await client.Spaces.CreateAsync($"{user}/made", new SpaceCreateOptions { Sdk = "docker", Volumes = [Bucket()] });
        Assert.Equal([Bucket()], await client.Spaces.ListVolumesAsync($"{user}/made"));

        var model = SpaceVolume.From(HfMount.Parse("hf://ns/model:/models"));
        await client.Spaces.DuplicateAsync($"{user}/made", $"{user}/copy", new SpaceDuplicateOptions { Volumes = [model] });
        var copied = Assert.Single(await client.Spaces.ListVolumesAsync($"{user}/copy"));
        Assert.Equal(model with { ReadOnly = true }, copied);
    }

    [Fact]
    public async Task A_static_space_refuses_volumes_with_the_hubs_message()
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        await client.Spaces.CreateAsync($"{user}/site", new SpaceCreateOptions { Sdk = "static" });
        var refused = await Assert.ThrowsAnyAsync<HubException>(() => client.Spaces.SetVolumesAsync($"{user}/site", [Bucket()]));
        Assert.Equal(400, refused.Status);
        Assert.Contains("volumes are not supported on static Spaces", refused.Message);
    }

    public static TheoryData<string, SpaceVolume[]> BadLists => new()
    {
        { "at least one volume", [] },
        { "taken twice", [Bucket(), SpaceVolume.From(HfMount.Parse("hf://ns/m:/data"))] },
        { "always mounted read-only", [SpaceVolume.From(HfMount.Parse("hf://datasets/ns/d:/data:rw"))] },
        { "must be absolute", [new SpaceVolume { Type = SpaceVolumeType.Bucket, Source = "ns/b", MountPath = "data" }] },
        { "buckets have no revisions", [new SpaceVolume { Type = SpaceVolumeType.Bucket, Source = "ns/b", MountPath = "/d", Revision = "main" }] },
        { "'namespace/name'", [new SpaceVolume { Type = SpaceVolumeType.Model, Source = "gpt2", MountPath = "/d" }] },
    };

    [Theory]
    [MemberData(nameof(BadLists))]
    public async Task A_bad_list_is_refused_before_anything_is_sent(string reason, SpaceVolume[] volumes)
    {
        var (user, token) = await hub.CreateUserAsync();
        using var client = Client(token);
        var id = $"{user}/checked";
        await client.Spaces.CreateAsync(id, new SpaceCreateOptions { Sdk = "docker", Volumes = [Bucket("/keep")] });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.Spaces.SetVolumesAsync(id, volumes));
        Assert.Contains(reason, error.Message);
        Assert.Equal([Bucket("/keep")], await client.Spaces.ListVolumesAsync(id));
        if (volumes.Length > 0)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => client.Spaces.CreateAsync($"{user}/never", new SpaceCreateOptions { Sdk = "docker", Volumes = volumes }));
            await Assert.ThrowsAsync<HubNotFoundException>(() => client.Spaces.GetAsync($"{user}/never"));
        }
    }

    [Fact]
    public void The_volume_object_reads_snake_case_and_a_missing_type_as_model_and_writes_only_set_fields()
    {
        const string Answer = """{"stage":"RUNNING","volumes":[{"source":"ns/m","mount_path":"/m","read_only":true,"extra":1},{"type":"bucket","source":"ns/b","mountPath":"/b"},{"type":"future","source":"ns/f","mountPath":"/f"}]}""";
        var runtime = JsonSerializer.Deserialize(Answer, SpacesJsonContext.Default.SpaceRuntime)!;
        Assert.Equal(new SpaceVolume { Type = SpaceVolumeType.Model, Source = "ns/m", MountPath = "/m", ReadOnly = true }, runtime.Volumes![0]);
        Assert.Equal("future", runtime.Volumes[2].Type.Value);
        Assert.Null(runtime.Volumes[2].ToMountString());
        Assert.Equal("""{"type":"bucket","source":"ns/b","mountPath":"/b"}""",
            Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(runtime.Volumes[1], SpacesJsonContext.Default.SpaceVolume)));
    }
}
