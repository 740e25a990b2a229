using System.Text;
using System.Text.Json;
using CsCheck;
using HfHub.Files;
using HfHub.Json;

namespace HfHub.Tests.Fuzz;

/// <summary>
/// The NDJSON commit writer: for arbitrary Unicode paths, messages and contents the output is
/// valid UTF-8 NDJSON (one JSON object per '\n'-terminated line, no raw newline inside a line)
/// that round-trips every operation, path and byte.
/// </summary>
public sealed class CommitPayloadFuzzTests
{
    /// <summary>Text that stresses JSON escaping: quotes, backslashes, controls, line separators, astral characters.</summary>
    internal static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char["ab/._- \"\\\n\r\t\0\u001f\u007f\u2028\u2029é中\uFEFF<>&'+"], 0, 20]),
        (2, Gen.Select(Gen.Int[0x20, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Array[0, 8],
            codes => string.Concat(codes.Select(char.ConvertFromUtf32)))),
        (1, Gen.String));

    private static readonly Gen<string> Path = Text.Where(t => t.Length > 0 && Utf16Text.IsWellFormed(t));

    private static readonly Gen<byte[]> Content = Gen.Byte.Array[0, 2048];

    /// <summary>Contents around the writer's 768 KiB base64 steps.</summary>
    private static readonly Gen<byte[]> LargeContent = Gen.Select(Gen.Int[-2, 2], Gen.Int[1, 2], Gen.Byte)
        .Select((delta, steps, fill) =>
        {
            var bytes = new byte[(3 * 256 * 1024 * steps) + delta];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(i * fill);
            }
            return bytes;
        });

    /// <summary>An operation and, for a regular file, the bytes it must carry.</summary>
    private sealed record Op(PayloadLine Line, byte[]? Bytes)
    {
        public override string ToString() => $"{Line.GetType().Name}({Line.Path}, {Bytes?.Length} bytes)";
    }

    private static readonly Gen<Op> Line = Gen.Frequency(
        (3, Gen.Select(Path, Content, (p, c) => new Op(new RegularFileLine(p, ContentSource.FromBytes(c)), c))),
        (1, Gen.Select(Path, Gen.Byte.Array[32, 32], Gen.Long[0, long.MaxValue], (p, h, s) => new Op(new LfsFileLine(p, Convert.ToHexStringLower(h), s), null))),
        (1, Path.Select(p => new Op(new DeletedFileLine(p), null))),
        (1, Path.Select(p => new Op(new DeletedFolderLine(p), null))));

    private static async Task<byte[]> WriteAsync(CommitPayload payload)
    {
        using var output = new MemoryStream();
        await payload.WriteToAsync(output, CancellationToken.None);
        return output.ToArray();
    }

    [Fact]
    public void Output_is_ndjson_that_round_trips_every_operation()
    {
        var strictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        Gen.Select(Text.Where(Utf16Text.IsWellFormed), Text.Where(Utf16Text.IsWellFormed).Null(0.3), Gen.Byte.Array[20, 20].Select(Convert.ToHexStringLower).Null(0.5), Line.Array[0, 6])
            .Sample((summary, description, parent, ops) =>
            {
                var lines = ops.Select(o => o.Line).ToArray();
                var bytes = WriteAsync(new CommitPayload(summary, description, parent, lines)).GetAwaiter().GetResult();
                var text = strictUtf8.GetString(bytes);
                Assert.EndsWith("\n", text, StringComparison.Ordinal);
                var rows = text[..^1].Split('\n');
                Assert.Equal(lines.Length + 1, rows.Length);
                Assert.DoesNotContain(rows, r => r.Contains('\r', StringComparison.Ordinal) || r.Contains('\u2028', StringComparison.Ordinal));

                using (var header = JsonDocument.Parse(rows[0]))
                {
                    Assert.Equal("header", header.RootElement.GetProperty("key").GetString());
                    var value = header.RootElement.GetProperty("value");
                    Assert.Equal(summary, value.GetProperty("summary").GetString());
                    Assert.Equal(description ?? "", value.GetProperty("description").GetString());
                    Assert.Equal(parent, value.TryGetProperty("parentCommit", out var p) ? p.GetString() : null);
                }
                for (var i = 0; i < lines.Length; i++)
                {
                    using var row = JsonDocument.Parse(rows[i + 1]);
                    var key = row.RootElement.GetProperty("key").GetString();
                    var value = row.RootElement.GetProperty("value");
                    Assert.Equal(lines[i].Path, value.GetProperty("path").GetString());
                    switch (lines[i])
                    {
                        case RegularFileLine file:
                            Assert.Equal("file", key);
                            Assert.Equal("base64", value.GetProperty("encoding").GetString());
                            Assert.Equal(file.Content.Length, ops[i].Bytes!.Length);
                            Assert.Equal(ops[i].Bytes, Convert.FromBase64String(value.GetProperty("content").GetString()!));
                            break;
                        case LfsFileLine lfs:
                            Assert.Equal("lfsFile", key);
                            Assert.Equal(lfs.Sha256, value.GetProperty("oid").GetString());
                            Assert.Equal(lfs.Size, value.GetProperty("size").GetInt64());
                            Assert.Equal("sha256", value.GetProperty("algo").GetString());
                            break;
                        case DeletedFileLine:
                            Assert.Equal("deletedFile", key);
                            break;
                        case DeletedFolderLine:
                            Assert.Equal("deletedFolder", key);
                            break;
                    }
                }
            }, iter: FuzzSettings.Iter(3000));
    }

    [Fact]
    public void Contents_across_the_base64_steps_round_trip()
    {
        LargeContent.Sample(bytes =>
        {
            var payload = new CommitPayload("s", null, null, [new RegularFileLine("big.bin", ContentSource.FromBytes(bytes))]);
            var rows = Encoding.ASCII.GetString(WriteAsync(payload).GetAwaiter().GetResult())[..^1].Split('\n');
            using var row = JsonDocument.Parse(rows[1]);
            Assert.Equal(bytes, Convert.FromBase64String(row.RootElement.GetProperty("value").GetProperty("content").GetString()!));
        }, iter: FuzzSettings.Iter(20));
    }

    // Found by Path_validation_…: an error message carried the path's raw newline (the shrunk input was " \\/ b\na").
    [Theory]
    [InlineData(" \\/ b\na")]
    [InlineData("a//b\r\n")]
    [InlineData(".git/x\n")]
    public void Path_errors_are_one_line(string path)
    {
        var error = Assert.Throws<ArgumentException>(() => RepoPath.Normalize(path));
        Assert.DoesNotContain(error.Message, char.IsControl);
    }

    [Fact]
    public void Path_validation_throws_only_its_documented_exception_and_what_it_accepts_can_be_written()
    {
        Text.Sample(path =>
        {
            string normalized;
            try
            {
                normalized = RepoPath.Normalize(path);
            }
            catch (ArgumentException e)
            {
                Assert.DoesNotContain(e.Message, char.IsControl);
                return;
            }
            Assert.DoesNotContain(normalized.Split('/'), s => s is "." or "..");
            var bytes = WriteAsync(new CommitPayload("s", null, null, [new DeletedFileLine(normalized)])).GetAwaiter().GetResult();
            var rows = Encoding.UTF8.GetString(bytes)[..^1].Split('\n');
            using var row = JsonDocument.Parse(rows[1]);
            Assert.Equal(normalized, row.RootElement.GetProperty("value").GetProperty("path").GetString());
        }, iter: FuzzSettings.Iter(20000));
    }
}
