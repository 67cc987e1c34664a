using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using DLBricks.Shared;

namespace DLBricks.Storage;

/// <summary>
/// An exclusive lock on a lock file next to a store, held by an operating-system file lock, so the kernel releases it when
/// the holding process ends however it ends. The file's text names the holder (pid, host, start time) for the message other
/// processes print; the lock covers one byte far past that text, so reading the text never waits on the lock.
/// </summary>
internal sealed class BenchLock : IDisposable
{
    // POSIX record locks belong to the process, not the handle: a second lock from this process would succeed, and closing any
    // handle of the file would drop the first one. Locks held by this process are therefore also tracked here.
    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();
    private const long LockedByte = 1L << 20;

    private readonly FileStream? _stream;
    private readonly string _path;

    private BenchLock(string path, FileStream? stream)
    {
        _path = path;
        _stream = stream;
    }

    /// <summary>Takes the lock of <paramref name="path"/>; <paramref name="what"/> names what it protects in the message.</summary>
    /// <exception cref="ResultStoreBusyException">Held by another process, or by another bench in this process.</exception>
    public static BenchLock Acquire(string path, string what)
    {
        path = Path.GetFullPath(path);
        lock (Gate)
        {
            if (HeldHere.Contains(path))
                throw Busy(path, what, ReadHolder(path));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            try
            {
                if (!TryLock(stream))
                    throw Busy(path, what, ReadHolder(path));
                var holder = string.Create(CultureInfo.InvariantCulture,
                    $"pid={Environment.ProcessId}; host={Environment.MachineName}; started={DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}");
                stream.SetLength(0);
                stream.Write(Encoding.UTF8.GetBytes(holder));
                stream.Flush(flushToDisk: true);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
            HeldHere.Add(path);
            return new BenchLock(path, stream);
        }
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (!HeldHere.Remove(_path))
                return;
            // The file stays: deleting it could let a process that opened it just before take a lock on an unlinked file.
            _stream?.Dispose();
        }
    }

    private static bool TryLock(FileStream stream)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
            return TryLockRegion(stream);
        // Where byte-range locks are not offered, the in-process table still serializes benches of this process.
        return true;
    }

    [SupportedOSPlatform("linux")]
    [SupportedOSPlatform("windows")]
    private static bool TryLockRegion(FileStream stream)
    {
        try
        {
            stream.Lock(LockedByte, 1);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string? ReadHolder(string path)
    {
        try
        {
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[512];
            var read = reader.Read(buffer);
            var text = Encoding.UTF8.GetString(buffer, 0, read).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static ResultStoreBusyException Busy(string path, string what, string? holder)
        => new($"{what}: another bench is measuring this system and configuration ({holder ?? "holder unknown"}; lock file {path}). " +
               "Wait for it to finish, or use a PostgreSQL store with bench --worker to share the bricks between processes.", holder);
}
