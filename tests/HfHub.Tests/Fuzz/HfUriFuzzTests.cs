using CsCheck;

namespace HfHub.Tests.Fuzz;

/// <summary>
/// <see cref="HfUri"/> and <see cref="HfMount"/>: any text either parses or is refused with the
/// documented <see cref="ArgumentException"/> and a one-line message; what parses prints a canonical
/// form that parses back to the same value; URIs built from valid parts survive the round trip.
/// </summary>
public sealed class HfUriFuzzTests
{
    private static readonly Gen<string> Name = Gen.String[Gen.Char["abc09_"], 1, 6];
    private static readonly Gen<string> Segment = Gen.OneOf(Gen.String[Gen.Char["ab9_-.@ é"], 1, 6], Gen.Const("x@y"));

    private static readonly Gen<string> Revision = Gen.OneOf(
        Gen.String[Gen.Char["abc12-_."], 1, 6].Where(r => !r.Contains("..", StringComparison.Ordinal)),
        Gen.Int[0, 999].Select(n => $"refs/pr/{n}"),
        Gen.Const("refs/convert/parquet"),
        Gen.Const("feature/foo"),
        Gen.Const("50%off"));

    private static readonly Gen<HfUri> Valid = Gen.Select(
        Gen.Enum<HfUriKind>(), Name, Name, Revision, Segment.Array[0, 3],
        (kind, ns, name, revision, segments) =>
        {
            var path = string.Join('/', segments.Where(s => s is not ("." or "..")));
            return HfUri.Create(kind, ns + "/" + name, kind == HfUriKind.Bucket ? null : revision, path);
        });

    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.Select(Gen.OneOf(Gen.Const("hf://"), Gen.Const("hf:/"), Gen.Const("")),
            Gen.OneOf(Gen.Const(""), Gen.Const("buckets/"), Gen.Const("datasets/"), Gen.Const("dataset/"), Gen.Const("spaces/")),
            Gen.String[Gen.Char["ab/@.:-_%2F\\\n"], 0, 24], (a, b, c) => a + b + c)),
        (1, Gen.String));

    [Fact]
    public void Any_text_parses_or_is_refused_in_one_line()
    {
        Text.Sample(text =>
        {
            if (HfUri.TryParse(text, out var uri, out var error))
            {
                Assert.Equal(uri, HfUri.Parse(uri.ToString()));
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
                Assert.DoesNotContain(error, char.IsControl);
                Assert.IsType<ArgumentException>(Record.Exception(() => HfUri.Parse(text)));
            }
            if (HfMount.TryParse(text, out var mount, out var mountError))
            {
                Assert.StartsWith("/", mount.MountPath);
                Assert.NotEqual("/", mount.MountPath);
                Assert.Equal(mount, HfMount.Parse(mount.ToString()));
            }
            else
            {
                Assert.DoesNotContain(mountError, char.IsControl);
                Assert.IsType<ArgumentException>(Record.Exception(() => HfMount.Parse(text)));
            }
        }, iter: FuzzSettings.Iter(20000));
    }

    [Fact]
    public void Uris_built_from_valid_parts_round_trip_through_their_text_and_as_mounts()
    {
        Gen.Select(Valid, Gen.Int[0, 2].Select(i => i switch { 0 => (bool?)null, 1 => true, _ => false }), Name).Sample((uri, readOnly, dir) =>
        {
            Assert.Equal(uri, HfUri.Parse(uri.ToString()));
            var mount = HfMount.Create(uri, "/mnt/" + dir, readOnly);
            Assert.Equal(mount, HfMount.Parse(mount.ToString()));
        }, iter: FuzzSettings.Iter(5000));
    }
}
