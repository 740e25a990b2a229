using CsCheck;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub.Tests.Fuzz;

/// <summary>
/// The local hub's name and path rules agree with reference models written differently
/// (character loops, not regexes) and never throw, for any string.
/// </summary>
public sealed class NameRulesFuzzTests
{
    private static readonly Gen<string> Candidate = Gen.Frequency(
        (6, Gen.String[Gen.Char["abZ09_-."], 0, 12]),
        (2, Gen.Select(Gen.Int[0, 100], Gen.OneOf("", ".git", ".GIT", "-", ".", "\n"), (n, tail) => new string('a', n) + tail)),
        (1, Gen.String[Gen.Char["a/.-_ \t\n\r\0é\u0130\u212A\\:"], 0, 10]),
        (1, Gen.String));

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>A repo name: 1–96 of [A-Za-z0-9_.-], word characters at both ends, no '--' or '..', no '.git' ending.</summary>
    private static bool RepoNameModel(string? name) =>
        name is { Length: >= 1 and <= 96 }
        && name.All(c => IsWordChar(c) || c is '-' or '.')
        && IsWordChar(name[0]) && IsWordChar(name[^1])
        && !name.Contains("--", StringComparison.Ordinal) && !name.Contains("..", StringComparison.Ordinal)
        && !name.EndsWith(".git", StringComparison.OrdinalIgnoreCase);

    /// <summary>A user name: 2–42 letters, digits and single inner hyphens; not all digits; not a 24-hex ObjectId.</summary>
    private static bool AccountNameModel(string? name)
    {
        if (name is not { Length: >= 2 and <= 42 } || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return false;
        }
        return !name.All(char.IsAsciiDigit) && !(name.Length == 24 && name.All(char.IsAsciiHexDigit));
    }

    /// <summary>A path in a repo: 1–1000 characters, relative, no NUL ('\' is ordinary), no empty, '.', '..' or '.git' segment.</summary>
    private static bool PathModel(string? path)
    {
        if (path is not { Length: >= 1 and <= 1000 } || path[0] == '/' || path.Contains('\0'))
        {
            return false;
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or ".." or ".git")
            {
                return false;
            }
        }
        return true;
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));

    [Fact]
    public void Repo_names_agree_with_the_model()
    {
        Candidate.Sample(name => Assert.True(RepoNameModel(name) == RepoNames.IsValid(name), $"\"{Escape(name)}\": model {RepoNameModel(name)}"),
            iter: FuzzSettings.Iter(10000));
    }

    [Fact]
    public void Account_names_agree_with_the_model()
    {
        var account = Gen.Frequency((4, Gen.String[Gen.Char["aZ09-"], 0, 44]), (1, Gen.String[Gen.Char["0123456789abcdef"], 24, 24]), (1, Candidate));
        account.Sample(name => Assert.True(AccountNameModel(name) == AccountNames.IsValid(name), $"\"{Escape(name)}\": model {AccountNameModel(name)}"),
            iter: FuzzSettings.Iter(10000));
    }

    [Fact]
    public void Repo_paths_agree_with_the_model()
    {
        var path = Gen.Frequency(
            (4, Gen.Select(Gen.OneOf("a", "b.txt", ".", "..", "", ".git", ".gitx", "é", " ", "\\", "\0", "...").Array[1, 5], parts => string.Join('/', parts))),
            (1, Gen.Int[995, 1005].Select(n => new string('p', n))),
            (1, Candidate));
        path.Sample(p => Assert.True(PathModel(p) == RepoNames.IsValidPath(p), $"\"{Escape(p)}\": model {PathModel(p)}"),
            iter: FuzzSettings.Iter(10000));
        Assert.False(RepoNames.IsValidPath(null));
        Assert.False(RepoNames.IsValid(null));
        Assert.False(AccountNames.IsValid(null));
    }

    // The '$'-before-a-trailing-newline bug the repo-id property found in RepoId, here in the hub's rules.
    [Theory]
    [InlineData("model\n")]
    [InlineData("a\n")]
    public void A_trailing_newline_is_not_a_repo_name(string name) => Assert.False(RepoNames.IsValid(name));

    [Theory]
    [InlineData("alice\n")]
    [InlineData("ab\n")]
    public void A_trailing_newline_is_not_an_account_name(string name) => Assert.False(AccountNames.IsValid(name));
}
