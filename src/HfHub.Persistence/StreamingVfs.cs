using System.Runtime.InteropServices;
using System.Text;

namespace HfHub.Persistence;

/// <summary>
/// Two SQLite VFS shims over the default "unix" VFS for the whole-file passes a snapshot and a
/// restore make: the online backup and <c>PRAGMA integrity_check</c>. SQLite reads and writes a
/// database one page per system call (4 KiB), and on a virtual machine each call costs more than
/// the copy it does: 2 × 262,144 calls for a 1 GiB backup. The shims batch them.
/// <list type="bullet">
/// <item><c>hfhub-readahead</c>: a read near the previous one (same or neighbouring 1 MiB block) fills
/// that aligned block with one read, into the least recently used of four windows; later reads inside
/// them are copies. Scattered reads go straight through. The window is dropped on every lock change, write, truncate and size
/// query, and it is only used by connections that run one statement in one read transaction (the
/// backup source, the integrity check), during which SQLite's locks keep the pages it reads from
/// the file unchanged (a SHARED lock in rollback mode; in WAL mode a checkpoint never overwrites
/// pages a reader's snapshot takes from the file).</item>
/// <item><c>hfhub-writebehind</c>: contiguous writes are gathered into 1 MiB and written with one
/// call; anything else (a read, a size query, a truncate, a lock change, a sync, close) writes the
/// gathered bytes first. A sync only writes them out and does not fsync: it is used for the
/// backup's throw-away copy, which is never relied on after a crash.</item>
/// </list>
/// Only main database files are buffered; journals, WAL and shared memory go straight to the unix VFS.
/// </summary>
internal static unsafe class StreamingVfs
{
    public const string ReadAhead = "hfhub-readahead";
    public const string WriteBehind = "hfhub-writebehind";

    private const int BufferSize = 1 << 20;
    /// <summary>Read-ahead keeps this many 1 MiB blocks: integrity_check comes back to an interior page's block after its children's.</summary>
    private const int Windows = 4;
    /// <summary>The unix VFS masks every write to 17 bits (128 KiB - 1), so the buffer goes to it in 64 KiB pieces.</summary>
    private const int ChunkSize = 1 << 16;
    private const int SqliteOk = 0;
    private const int SqliteIoErr = 10;
    private const int SqliteOpenMainDb = 0x100;

    private enum Mode
    {
        PassThrough,
        ReadAhead,
        WriteBehind,
    }

    private static readonly object Gate = new();
    private static bool s_tried;
    private static Vfs* s_unix;
    private static Vfs* s_readAhead;
    private static IoMethods* s_methods;

    /// <summary>
    /// The URI that opens <paramref name="path"/> through one of the shims (registering them on first use),
    /// or the plain path when SQLite has no unix VFS to wrap.
    /// </summary>
    public static string Uri(string path, string vfs)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!EnsureRegistered())
        {
            return path;
        }
        // SQLite URIs: '?', '#' and '%' in the path must be escaped; everything else may stay as it is.
        var escaped = new StringBuilder(path.Length + 16);
        foreach (var c in System.IO.Path.GetFullPath(path))
        {
            escaped.Append(c switch
            {
                '?' => "%3F",
                '#' => "%23",
                '%' => "%25",
                _ => c.ToString(),
            });
        }
        return $"file:{escaped}?vfs={vfs}";
    }

    internal static bool EnsureRegistered()
    {
        lock (Gate)
        {
            if (s_readAhead is null && !s_tried)
            {
                s_tried = true;
                TryRegister();
            }
            return s_readAhead is not null;
        }
    }

    /// <summary>Registers both shims, or leaves <see cref="s_readAhead"/> null when they cannot be used here.</summary>
    private static void TryRegister()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }
        Vfs* unix;
        try
        {
            // The shims live in the SQLite library Microsoft.Data.Sqlite uses, so only with the
            // bundled e_sqlite3 (its static constructor picks the provider); any other provider
            // (SQLCipher, the system's libsqlite3) keeps SQLite's own VFS.
            using (new Microsoft.Data.Sqlite.SqliteConnection())
            {
            }
            if (SQLitePCL.raw.GetNativeLibraryName() != "e_sqlite3")
            {
                return;
            }
            unix = sqlite3_vfs_find(null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            return;
        }
        if (unix is null || unix->iVersion < 3 || unix->xOpen == null)
        {
            return;
        }
        s_unix = unix;
        s_methods = (IoMethods*)NativeMemory.AllocZeroed((nuint)sizeof(IoMethods));
        *s_methods = new IoMethods
        {
            iVersion = 3,
            xClose = &Close,
            xRead = &Read,
            xWrite = &Write,
            xTruncate = &Truncate,
            xSync = &Sync,
            xFileSize = &FileSize,
            xLock = &Lock,
            xUnlock = &Unlock,
            xCheckReservedLock = &CheckReservedLock,
            xFileControl = &FileControl,
            xSectorSize = &SectorSize,
            xDeviceCharacteristics = &DeviceCharacteristics,
            xShmMap = &ShmMap,
            xShmLock = &ShmLock,
            xShmBarrier = &ShmBarrier,
            xShmUnmap = &ShmUnmap,
            xFetch = &Fetch,
            xUnfetch = &Unfetch,
        };
        var writeBehind = Register(WriteBehind);
        var readAhead = Register(ReadAhead);
        if (writeBehind is null || readAhead is null)
        {
            return;
        }
        s_readAhead = readAhead;
    }

    /// <summary>A copy of the unix VFS (its path handling, locking and time functions) whose xOpen wraps files.</summary>
    private static Vfs* Register(string name)
    {
        var vfs = (Vfs*)NativeMemory.AllocZeroed((nuint)sizeof(Vfs));
        *vfs = *s_unix;
        vfs->pNext = null;
        vfs->szOsFile = HeaderSize + s_unix->szOsFile;
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        var zName = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(zName, bytes.Length));
        vfs->zName = zName;
        vfs->xOpen = (void*)(delegate* unmanaged<Vfs*, byte*, SqliteFile*, int, int*, int>)&Open;
        // Registered for the life of the process: SQLite keeps pointers to the struct and its name.
        return sqlite3_vfs_register(vfs, 0) == SqliteOk ? vfs : null;
    }

    private static int HeaderSize => (sizeof(StreamFile) + 7) & ~7;

    private static SqliteFile* Inner(SqliteFile* file) => (SqliteFile*)((byte*)file + HeaderSize);

    private static StreamFile* State(SqliteFile* file) => (StreamFile*)file;

    [UnmanagedCallersOnly]
    private static int Open(Vfs* vfs, byte* name, SqliteFile* file, int flags, int* outFlags)
    {
        var state = State(file);
        *state = default;
        var inner = Inner(file);
        var rc = ((delegate* unmanaged<Vfs*, byte*, SqliteFile*, int, int*, int>)s_unix->xOpen)(s_unix, name, inner, flags, outFlags);
        if (rc != SqliteOk)
        {
            // A failed xOpen leaves pMethods null, so SQLite does not call xClose on it; close the inner file if it opened.
            if (inner->pMethods is not null)
            {
                inner->pMethods->xClose(inner);
            }
            return rc;
        }
        if ((flags & SqliteOpenMainDb) != 0)
        {
            state->Mode = vfs == s_readAhead ? Mode.ReadAhead : Mode.WriteBehind;
            state->Buffer = (byte*)NativeMemory.Alloc((nuint)(state->Mode == Mode.ReadAhead ? Windows * BufferSize : BufferSize));
        }
        state->Base.pMethods = s_methods;
        return SqliteOk;
    }

    [UnmanagedCallersOnly]
    private static int Close(SqliteFile* file)
    {
        var state = State(file);
        Flush(state, Inner(file));
        if (state->Buffer is not null)
        {
            NativeMemory.Free(state->Buffer);
            state->Buffer = null;
        }
        var inner = Inner(file);
        return inner->pMethods->xClose(inner);
    }

    [UnmanagedCallersOnly]
    private static int Read(SqliteFile* file, byte* destination, int amount, long offset)
    {
        var state = State(file);
        var inner = Inner(file);
        if (state->Mode != Mode.ReadAhead)
        {
            var flushed = Flush(state, inner);
            return flushed != SqliteOk ? flushed : inner->pMethods->xRead(inner, destination, amount, offset);
        }
        for (var i = 0; i < Windows; i++)
        {
            var start = state->WindowStart[i];
            if (state->WindowLength[i] > 0 && offset >= start && offset + amount <= start + state->WindowLength[i])
            {
                new ReadOnlySpan<byte>(state->Buffer + (i * BufferSize) + (offset - start), amount).CopyTo(new Span<byte>(destination, amount));
                state->WindowUsed[i] = ++state->Clock;
                state->LastReadStart = offset;
                return SqliteOk;
            }
        }
        // Windows are aligned 1 MiB blocks, filled when the previous read was in the same block or a
        // neighbouring one: the backup reads forward, integrity_check walks each page's children last to
        // first, and both stay local. A read far from the previous one goes straight through.
        var local = Math.Abs((offset / BufferSize) - (state->LastReadStart / BufferSize)) <= 1;
        state->LastReadStart = offset;
        if (!local || amount > ChunkSize)
        {
            return inner->pMethods->xRead(inner, destination, amount, offset);
        }
        long size;
        var blockStart = offset / BufferSize * BufferSize;
        if (inner->pMethods->xFileSize(inner, &size) != SqliteOk || offset + amount > Math.Min(size, blockStart + BufferSize))
        {
            // Past the end of the file (the unix VFS reports the short read itself) or across two blocks
            // (pages never are: they are aligned and at most 64 KiB).
            return inner->pMethods->xRead(inner, destination, amount, offset);
        }
        var victim = 0;
        for (var i = 1; i < Windows; i++)
        {
            if (state->WindowUsed[i] < state->WindowUsed[victim])
            {
                victim = i;
            }
        }
        var window = state->Buffer + (victim * BufferSize);
        var length = (int)Math.Min(BufferSize, size - blockStart);
        state->WindowLength[victim] = 0;
        if (InChunks(inner, inner->pMethods->xRead, window, length, blockStart) != SqliteOk)
        {
            return inner->pMethods->xRead(inner, destination, amount, offset);
        }
        state->WindowStart[victim] = blockStart;
        state->WindowLength[victim] = length;
        state->WindowUsed[victim] = ++state->Clock;
        new ReadOnlySpan<byte>(window + (offset - blockStart), amount).CopyTo(new Span<byte>(destination, amount));
        return SqliteOk;
    }

    [UnmanagedCallersOnly]
    private static int Write(SqliteFile* file, byte* source, int amount, long offset)
    {
        var state = State(file);
        var inner = Inner(file);
        if (state->Mode != Mode.WriteBehind)
        {
            Flush(state, inner);
            return inner->pMethods->xWrite(inner, source, amount, offset);
        }
        if (state->Error != SqliteOk)
        {
            return state->Error;
        }
        if (state->BufferLength > 0 && offset == state->BufferStart + state->BufferLength && state->BufferLength + amount <= BufferSize)
        {
            new ReadOnlySpan<byte>(source, amount).CopyTo(new Span<byte>(state->Buffer + state->BufferLength, amount));
            state->BufferLength += amount;
            return SqliteOk;
        }
        var rc = Flush(state, inner);
        if (rc != SqliteOk)
        {
            return rc;
        }
        if (amount > ChunkSize)
        {
            return InChunks(inner, inner->pMethods->xWrite, source, amount, offset);
        }
        new ReadOnlySpan<byte>(source, amount).CopyTo(new Span<byte>(state->Buffer, amount));
        state->BufferStart = offset;
        state->BufferLength = amount;
        return SqliteOk;
    }

    /// <summary>
    /// Write-behind: writes the gathered bytes (a failure sticks, so every later call reports it).
    /// Read-ahead: drops the window. Pass-through: nothing.
    /// </summary>
    private static int Flush(StreamFile* state, SqliteFile* inner)
    {
        if (state->Mode == Mode.ReadAhead)
        {
            for (var i = 0; i < Windows; i++)
            {
                state->WindowLength[i] = 0;
            }
            return SqliteOk;
        }
        if (state->Mode != Mode.WriteBehind)
        {
            return SqliteOk;
        }
        if (state->Error != SqliteOk || state->BufferLength == 0)
        {
            return state->Error;
        }
        var rc = InChunks(inner, inner->pMethods->xWrite, state->Buffer, state->BufferLength, state->BufferStart);
        state->BufferLength = 0;
        state->Error = rc;
        return rc;
    }

    private static int InChunks(SqliteFile* inner, delegate* unmanaged<SqliteFile*, byte*, int, long, int> io, byte* buffer, int length, long offset)
    {
        for (var done = 0; done < length; done += ChunkSize)
        {
            var rc = io(inner, buffer + done, Math.Min(ChunkSize, length - done), offset + done);
            if (rc != SqliteOk)
            {
                return rc;
            }
        }
        return SqliteOk;
    }

    private static int FlushThen(SqliteFile* file, out SqliteFile* inner)
    {
        inner = Inner(file);
        return Flush(State(file), inner);
    }

    [UnmanagedCallersOnly]
    private static int Truncate(SqliteFile* file, long size)
    {
        var rc = FlushThen(file, out var inner);
        return rc != SqliteOk ? rc : inner->pMethods->xTruncate(inner, size);
    }

    [UnmanagedCallersOnly]
    private static int Sync(SqliteFile* file, int flags)
    {
        var rc = FlushThen(file, out var inner);
        // The write-behind copy is throw-away: a sync writes the gathered bytes and stops there.
        return rc != SqliteOk || State(file)->Mode == Mode.WriteBehind ? rc : inner->pMethods->xSync(inner, flags);
    }

    [UnmanagedCallersOnly]
    private static int FileSize(SqliteFile* file, long* size)
    {
        var rc = FlushThen(file, out var inner);
        return rc != SqliteOk ? rc : inner->pMethods->xFileSize(inner, size);
    }

    [UnmanagedCallersOnly]
    private static int Lock(SqliteFile* file, int level)
    {
        var rc = FlushThen(file, out var inner);
        return rc != SqliteOk ? rc : inner->pMethods->xLock(inner, level);
    }

    [UnmanagedCallersOnly]
    private static int Unlock(SqliteFile* file, int level)
    {
        var rc = FlushThen(file, out var inner);
        return rc != SqliteOk ? rc : inner->pMethods->xUnlock(inner, level);
    }

    [UnmanagedCallersOnly]
    private static int CheckReservedLock(SqliteFile* file, int* result)
    {
        var inner = Inner(file);
        return inner->pMethods->xCheckReservedLock(inner, result);
    }

    [UnmanagedCallersOnly]
    private static int FileControl(SqliteFile* file, int op, void* arg)
    {
        var rc = FlushThen(file, out var inner);
        return rc != SqliteOk ? rc : inner->pMethods->xFileControl(inner, op, arg);
    }

    [UnmanagedCallersOnly]
    private static int SectorSize(SqliteFile* file)
    {
        var inner = Inner(file);
        return inner->pMethods->xSectorSize(inner);
    }

    [UnmanagedCallersOnly]
    private static int DeviceCharacteristics(SqliteFile* file)
    {
        var inner = Inner(file);
        return inner->pMethods->xDeviceCharacteristics(inner);
    }

    [UnmanagedCallersOnly]
    private static int ShmMap(SqliteFile* file, int page, int pageSize, int extend, void** address)
    {
        var inner = Inner(file);
        return inner->pMethods->iVersion < 2 ? SqliteIoErr : inner->pMethods->xShmMap(inner, page, pageSize, extend, address);
    }

    [UnmanagedCallersOnly]
    private static int ShmLock(SqliteFile* file, int offset, int count, int flags)
    {
        var inner = Inner(file);
        return inner->pMethods->iVersion < 2 ? SqliteIoErr : inner->pMethods->xShmLock(inner, offset, count, flags);
    }

    [UnmanagedCallersOnly]
    private static void ShmBarrier(SqliteFile* file)
    {
        var inner = Inner(file);
        if (inner->pMethods->iVersion >= 2)
        {
            inner->pMethods->xShmBarrier(inner);
        }
    }

    [UnmanagedCallersOnly]
    private static int ShmUnmap(SqliteFile* file, int delete)
    {
        var inner = Inner(file);
        return inner->pMethods->iVersion < 2 ? SqliteOk : inner->pMethods->xShmUnmap(inner, delete);
    }

    /// <summary>No memory-mapped pages: SQLite then reads through xRead, which the window serves.</summary>
    [UnmanagedCallersOnly]
    private static int Fetch(SqliteFile* file, long offset, int amount, void** address)
    {
        *address = null;
        return SqliteOk;
    }

    [UnmanagedCallersOnly]
    private static int Unfetch(SqliteFile* file, long offset, void* address)
    {
        var inner = Inner(file);
        return inner->pMethods->iVersion < 3 || address is not null ? SqliteOk : inner->pMethods->xUnfetch(inner, offset, address);
    }

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern Vfs* sqlite3_vfs_find(byte* name);

    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sqlite3_vfs_register(Vfs* vfs, int makeDefault);

    /// <summary>sqlite3_file: the header every VFS file starts with.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SqliteFile
    {
        public IoMethods* pMethods;
    }

    /// <summary>This shim's file: the sqlite3_file header, its state, then (at <see cref="HeaderSize"/>) the unix file.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct StreamFile
    {
        public SqliteFile Base;
        public byte* Buffer;
        /// <summary>Write-behind: where the gathered bytes go.</summary>
        public long BufferStart;
        public fixed long WindowStart[Windows];
        public fixed long WindowUsed[Windows];
        public fixed int WindowLength[Windows];
        public long Clock;
        public long LastReadStart;
        /// <summary>Write-behind: how many bytes are gathered.</summary>
        public int BufferLength;
        public int Error;
        public Mode Mode;
    }

    /// <summary>sqlite3_io_methods, version 3.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int iVersion;
        public delegate* unmanaged<SqliteFile*, int> xClose;
        public delegate* unmanaged<SqliteFile*, byte*, int, long, int> xRead;
        public delegate* unmanaged<SqliteFile*, byte*, int, long, int> xWrite;
        public delegate* unmanaged<SqliteFile*, long, int> xTruncate;
        public delegate* unmanaged<SqliteFile*, int, int> xSync;
        public delegate* unmanaged<SqliteFile*, long*, int> xFileSize;
        public delegate* unmanaged<SqliteFile*, int, int> xLock;
        public delegate* unmanaged<SqliteFile*, int, int> xUnlock;
        public delegate* unmanaged<SqliteFile*, int*, int> xCheckReservedLock;
        public delegate* unmanaged<SqliteFile*, int, void*, int> xFileControl;
        public delegate* unmanaged<SqliteFile*, int> xSectorSize;
        public delegate* unmanaged<SqliteFile*, int> xDeviceCharacteristics;
        public delegate* unmanaged<SqliteFile*, int, int, int, void**, int> xShmMap;
        public delegate* unmanaged<SqliteFile*, int, int, int, int> xShmLock;
        public delegate* unmanaged<SqliteFile*, void> xShmBarrier;
        public delegate* unmanaged<SqliteFile*, int, int> xShmUnmap;
        public delegate* unmanaged<SqliteFile*, long, int, void**, int> xFetch;
        public delegate* unmanaged<SqliteFile*, long, void*, int> xUnfetch;
    }

    /// <summary>sqlite3_vfs up to version 3; only the fields this shim reads or replaces are typed.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Vfs
    {
        public int iVersion;
        public int szOsFile;
        public int mxPathname;
        public Vfs* pNext;
        public byte* zName;
        public void* pAppData;
        public void* xOpen;
        public void* xDelete;
        public void* xAccess;
        public void* xFullPathname;
        public void* xDlOpen;
        public void* xDlError;
        public void* xDlSym;
        public void* xDlClose;
        public void* xRandomness;
        public void* xSleep;
        public void* xCurrentTime;
        public void* xGetLastError;
        public void* xCurrentTimeInt64;
        public void* xSetSystemCall;
        public void* xGetSystemCall;
        public void* xNextSystemCall;
    }
}
