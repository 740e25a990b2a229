using HfCtl.Testing;
using HfHub.Persistence;
using Microsoft.Data.Sqlite;

namespace HfHub.Tests.Persistence;

/// <summary>
/// The read-ahead and write-behind VFS shims behind snapshots and integrity checks: what goes
/// through them must be exactly what SQLite's own unix VFS reads and writes.
/// </summary>
public sealed class StreamingVfsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hfpersist-vfs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A database of several MiB (many 1 MiB windows) with a secondary index, in the given page size.</summary>
    private string Database(string name, int pageSize, int rows = 6000)
    {
        var path = Path.Combine(_dir, name);
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        PersistTestData.Exec(c, $"PRAGMA page_size={pageSize}; PRAGMA journal_mode=WAL; CREATE TABLE rows(id INTEGER PRIMARY KEY, payload TEXT NOT NULL, tag TEXT NOT NULL)");
        PersistTestData.Exec(c, $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO rows(payload, tag) SELECT hex(randomblob(400 + i % 300)), hex(randomblob(8)) FROM n");
        PersistTestData.Exec(c, "CREATE INDEX rows_tag ON rows(tag)");
        return path;
    }

    private static void ReferenceBackup(string source, string destination)
    {
        using var from = new SqliteConnection($"Data Source={source};Pooling=False");
        using var to = new SqliteConnection($"Data Source={destination};Pooling=False");
        from.Open();
        to.Open();
        PersistTestData.Exec(to, "PRAGMA journal_mode = OFF; PRAGMA synchronous = NORMAL");
        from.BackupDatabase(to);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(65536)]
    public async Task A_snapshot_is_byte_for_byte_the_copy_sqlite_makes_without_the_shims(int pageSize)
    {
        var db = Database("source.db", pageSize);
        // An open writer keeps its last changes in the -wal: the copy takes pages from both files.
        using var writer = new SqliteConnection($"Data Source={db};Pooling=False");
        writer.Open();
        PersistTestData.Exec(writer, "PRAGMA wal_autocheckpoint=0; UPDATE rows SET tag = 'changed' WHERE id % 7 = 0");
        Assert.True(new FileInfo(db + "-wal").Length > 0);
        var reference = Path.Combine(_dir, "reference.db");
        ReferenceBackup(db, reference);
        var snapshot = Path.Combine(_dir, "snapshot.db");

        await SqliteFiles.SnapshotAsync(db, snapshot);

        Assert.True(new FileInfo(snapshot).Length > 4 << 20);
        Assert.Equal(await File.ReadAllBytesAsync(reference), await File.ReadAllBytesAsync(snapshot));
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(snapshot));
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.5)]
    [InlineData(0.98)]
    public async Task The_integrity_check_finds_a_damaged_page_wherever_it_is(double where)
    {
        var db = Database("damaged.db", 4096);
        var copy = Path.Combine(_dir, "copy.db");
        await SqliteFiles.SnapshotAsync(db, copy);
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(copy));
        var bytes = await File.ReadAllBytesAsync(copy);
        var page = (int)(bytes.Length / 4096 * where);
        page = Math.Max(page, 2);
        Array.Fill(bytes, (byte)0x5A, page * 4096, 4096);
        await File.WriteAllBytesAsync(copy, bytes);

        Assert.NotEqual("ok", await SqliteFiles.IntegrityCheckAsync(copy));
    }

    [Fact]
    public async Task Paths_with_uri_characters_are_opened_as_themselves()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "odd ?#% name")).FullName;
        var db = Path.Combine(folder, "a?b#c%d e.db");
        File.Move(Database("plain.db", 4096, rows: 300), db);
        var snapshot = Path.Combine(folder, "snap?#%.db");

        await SqliteFiles.SnapshotAsync(db, snapshot);

        Assert.Equal(SqliteSnapshotTests.Ids(db), SqliteSnapshotTests.Ids(snapshot));
        Assert.Equal("ok", await SqliteFiles.IntegrityCheckAsync(snapshot));
        // Nothing was created under a literal "file:…" name.
        Assert.Empty(Directory.GetFiles(_dir, "file*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Environment.CurrentDirectory, "file*"));
    }
}
