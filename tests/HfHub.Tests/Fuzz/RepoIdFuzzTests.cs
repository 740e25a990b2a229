using CsCheck;
using HfHub.Repos;

namespace HfHub.Tests.Fuzz;

/// <summary>
/// Repo-id validation agrees with a reference model of the official rule, written differently
/// (character loops, not a regex), and never throws anything but the documented
/// <see cref="ArgumentException"/> from <see cref="RepoId.Parse"/>.
/// </summary>
public sealed class RepoIdFuzzTests
{
    /// <summary>Ids built mostly from the characters that matter, with the occasional stranger.</summary>
    internal static readonly Gen<string> Candidate = Gen.Frequency(
        (6, Gen.String[Gen.Char["abZ09_-./"], 0, 12]),
        (2, Gen.Select(Gen.String[Gen.Char["ab_-."], 0, 4], Gen.Int[90, 100], Gen.OneOf("", ".git", ".GIT", "-", "."),
            (ns, n, tail) => (ns.Length > 0 ? ns + "/" : "") + new string('a', n) + tail)),
        (1, Gen.String[Gen.Char["a/.-_ \t\n\0é\u0130\u212A\\:"], 0, 10]),
        (1, Gen.String));

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool IsPart(string part, int max) =>
        part.Length >= 1 && part.Length <= max
        && part.All(c => IsWordChar(c) || c is '-' or '.')
        && IsWordChar(part[0]) && IsWordChar(part[^1]);

    /// <summary>
    /// huggingface_hub's validate_repo_id with ASCII \w: at most one '/', an optional namespace and
    /// a 1–96 character name that start and end with a word character, no '--' or '..', no '.git'
    /// ending (compared ignoring case here, as RepoId documents: stricter than Python, never looser).
    /// </summary>
    internal static bool ModelAccepts(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var parts = text.Split('/');
        var shapeOk = parts.Length switch
        {
            1 => IsPart(parts[0], 96),
            2 => IsPart(parts[0], int.MaxValue) && IsPart(parts[1], 96),
            _ => false,
        };
        return shapeOk && !text.Contains("--", StringComparison.Ordinal) && !text.Contains("..", StringComparison.Ordinal)
            && !text.EndsWith(".git", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Accept_and_reject_agree_with_the_reference_model()
    {
        Candidate.Sample(text =>
        {
            var accepted = RepoId.TryParse(text, out var id, out var error);
            Assert.True(ModelAccepts(text) == accepted, $"model {ModelAccepts(text)}, RepoId {accepted} for \"{Escape(text)}\"");
            if (accepted)
            {
                Assert.Equal(text, id.ToString());
                Assert.Equal(id, RepoId.Parse(text));
                Assert.Equal("", error);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
                Assert.DoesNotContain(error, char.IsControl);
                var thrown = Record.Exception(() => RepoId.Parse(text));
                Assert.IsType<ArgumentException>(thrown);
            }
        }, iter: FuzzSettings.Iter(10000));
    }

    internal static string Escape(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));

    // Found by Accept_and_reject_agree_with_the_reference_model: the regex's '$' matched before a trailing newline.
    [Theory]
    [InlineData("_\n")]
    [InlineData("me/model\n")]
    public void A_trailing_newline_is_rejected(string text)
    {
        Assert.False(RepoId.TryParse(text, out _, out _));
        Assert.Throws<ArgumentException>(() => RepoId.Parse(text));
    }

    [Fact]
    public void Null_is_rejected_without_throwing()
    {
        Assert.False(RepoId.TryParse(null, out _, out var error));
        Assert.Equal("repo id cannot be empty", error);
    }
}
