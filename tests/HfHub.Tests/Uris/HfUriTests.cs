using HfHub.Repos;

namespace HfHub.Tests.Uris;

public sealed class HfUriTests
{
    [Theory]
    [InlineData("hf://buckets/ns/b", HfUriKind.Bucket, "ns/b", null, "")]
    [InlineData("hf://buckets/ns/b/sub/dir/file.bin", HfUriKind.Bucket, "ns/b", null, "sub/dir/file.bin")]
    [InlineData("hf://buckets/ns/b/dir/", HfUriKind.Bucket, "ns/b", null, "dir")]
    [InlineData("hf://buckets/ns/b/file@1.txt", HfUriKind.Bucket, "ns/b", null, "file@1.txt")]
    [InlineData("hf://datasets/ns/d@v1/train.csv", HfUriKind.Dataset, "ns/d", "v1", "train.csv")]
    [InlineData("hf://datasets/ns/d@refs/pr/3/train.json", HfUriKind.Dataset, "ns/d", "refs/pr/3", "train.json")]
    [InlineData("hf://datasets/ns/d@refs/pr/3", HfUriKind.Dataset, "ns/d", "refs/pr/3", "")]
    [InlineData("hf://datasets/ns/d@refs/convert/parquet/default/train", HfUriKind.Dataset, "ns/d", "refs/convert/parquet", "default/train")]
    [InlineData("hf://datasets/ns/d@feature%2Ffoo/a.txt", HfUriKind.Dataset, "ns/d", "feature/foo", "a.txt")]
    [InlineData("hf://spaces/ns/s", HfUriKind.Space, "ns/s", null, "")]
    [InlineData("hf://spaces/ns/s/app.py", HfUriKind.Space, "ns/s", null, "app.py")]
    [InlineData("hf://ns/model/path/to/w.bin", HfUriKind.Model, "ns/model", null, "path/to/w.bin")]
    [InlineData("hf://models/ns/model@main", HfUriKind.Model, "ns/model", "main", "")]
    [InlineData("hf://ns/model/file@1.txt", HfUriKind.Model, "ns/model", null, "file@1.txt")]
    [InlineData("hf://ns/model@a@b", HfUriKind.Model, "ns/model", "a@b", "")]
    public void A_uri_is_split_into_kind_id_revision_and_path(string text, HfUriKind kind, string id, string? revision, string path)
    {
        var uri = HfUri.Parse(text);
        Assert.Equal(kind, uri.Kind);
        Assert.Equal(id, uri.Id);
        Assert.Equal(revision, uri.Revision);
        Assert.Equal(path, uri.Path);
        Assert.Equal(kind == HfUriKind.Bucket, uri.IsBucket);
        Assert.Equal(uri, HfUri.Parse(uri.ToString()));
    }

    [Fact]
    public void The_repo_type_is_given_for_repositories_and_null_for_buckets()
    {
        Assert.Equal(RepoType.Dataset, HfUri.Parse("hf://datasets/ns/d").RepoType);
        Assert.Equal(RepoType.Model, HfUri.Parse("hf://ns/m").RepoType);
        Assert.Null(HfUri.Parse("hf://buckets/ns/b").RepoType);
    }

    [Theory]
    [InlineData("hf://ns/model", "hf://models/ns/model")]
    [InlineData("hf://datasets/ns/d@feature%2Ffoo/a", "hf://datasets/ns/d@feature%2Ffoo/a")]
    [InlineData("hf://datasets/ns/d@refs/pr/3/a", "hf://datasets/ns/d@refs/pr/3/a")]
    [InlineData("hf://buckets/ns/b/dir/", "hf://buckets/ns/b/dir")]
    public void The_canonical_form_writes_the_type_and_encodes_slashes_in_plain_revisions(string text, string canonical) =>
        Assert.Equal(canonical, HfUri.Parse(text).ToString());

    [Theory]
    [InlineData("", "cannot be empty")]
    [InlineData("ns/model", "must start with 'hf://'")]
    [InlineData("https://huggingface.co/ns/m", "must start with 'hf://'")]
    [InlineData("hf://", "nothing after")]
    [InlineData("hf://datasets", "an id must follow")]
    [InlineData("hf://datasets/", "an id must follow")]
    [InlineData("hf://dataset/ns/d", "did you mean 'datasets/'")]
    [InlineData("hf://bucket/ns/b", "did you mean 'buckets/'")]
    [InlineData("hf://kernels/ns/k", "unknown type 'kernels'")]
    [InlineData("hf://gpt2", "'namespace/name'")]
    [InlineData("hf://buckets/ns", "'namespace/name'")]
    [InlineData("hf://ns//m", "'namespace/name'")]
    [InlineData("hf:///ns/m", "'namespace/name'")]
    [InlineData("hf://buckets/ns/b@v1", "buckets have no revisions")]
    [InlineData("hf://buckets/ns/b@v1/x", "buckets have no revisions")]
    [InlineData("hf://datasets/ns/d@/x", "revision after '@' is empty")]
    [InlineData("hf://datasets/ns/d@", "revision after '@' is empty")]
    [InlineData("hf://datasets/ns/d@v1..v2", "invalid revision")]
    [InlineData("hf://buckets/ns/b/a//c", "empty segment")]
    [InlineData("hf://buckets/ns/b/../other/x", "traversal")]
    [InlineData("hf://ns/m/a/./b", "traversal")]
    [InlineData("hf://datasets/ns/d@main/../x", "traversal")]
    [InlineData("hf://ns/m\n/x", "control characters")]
    [InlineData("hf://ns/m/a\\b", "control characters and '\\'")]
    [InlineData("hf://ns/bad name", "invalid repository id")]
    [InlineData("hf://buckets/ns/b--c", "invalid bucket id")]
    public void Bad_uris_are_refused_with_one_line_saying_why(string text, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => HfUri.Parse(text));
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(HfUri.TryParse(text, out _, out var same));
        Assert.Equal(error.Message, same);
    }

    [Fact]
    public void A_uri_longer_than_the_limit_is_refused_without_echoing_it_whole()
    {
        var text = "hf://buckets/ns/b/" + new string('a', HfUri.MaxLength);
        var error = Assert.Throws<ArgumentException>(() => HfUri.Parse(text)).Message;
        Assert.Contains("too long", error);
        Assert.True(error.Length < 200, error);
    }

    [Theory]
    [InlineData("hf://ns/model:/data", HfUriKind.Model, "ns/model", "", "/data", null)]
    [InlineData("hf://datasets/ns/ds:/data:ro", HfUriKind.Dataset, "ns/ds", "", "/data", true)]
    [InlineData("hf://buckets/ns/b:/mnt", HfUriKind.Bucket, "ns/b", "", "/mnt", null)]
    [InlineData("hf://buckets/ns/b/sub/dir:/mnt:rw", HfUriKind.Bucket, "ns/b", "sub/dir", "/mnt", false)]
    [InlineData("hf://datasets/org/ds/train:/data", HfUriKind.Dataset, "org/ds", "train", "/data", null)]
    [InlineData("hf://datasets/ns/d@refs/pr/3/sub:/srv/assets:ro", HfUriKind.Dataset, "ns/d", "sub", "/srv/assets", true)]
    public void A_mount_splits_at_the_last_colon_slash_and_strips_the_mode(string text, HfUriKind kind, string id, string path, string mountPath, bool? readOnly)
    {
        var mount = HfMount.Parse(text);
        Assert.Equal(kind, mount.Source.Kind);
        Assert.Equal(id, mount.Source.Id);
        Assert.Equal(path, mount.Source.Path);
        Assert.Equal(mountPath, mount.MountPath);
        Assert.Equal(readOnly, mount.ReadOnly);
        Assert.Equal(mount, HfMount.Parse(mount.ToString()));
    }

    [Theory]
    [InlineData("hf://ns/model", "no mount path")]
    [InlineData("hf://ns/model:ro", "no mount path")]
    [InlineData("hf://ns/model:data", "must be absolute")]
    [InlineData("hf://ns/model:/", "cannot be '/' itself")]
    [InlineData("hf://ns/model:/:ro", "cannot be '/' itself")]
    [InlineData("hf://ns/model:/data/", "empty segment")]
    [InlineData("hf://ns/model:/data/../etc", "traversal")]
    [InlineData("hf://:/data", "nothing to mount")]
    [InlineData("ns/model:/data", "must start with 'hf://'")]
    [InlineData("hf://buckets/ns/b@v2:/data", "buckets have no revisions")]
    [InlineData("hf://dataset/ns/d:/data", "did you mean 'datasets/'")]
    public void Bad_mounts_are_refused_with_one_line_saying_why(string text, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => HfMount.Parse(text));
        Assert.Contains(reason, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
