using System.Globalization;

namespace DLBricks.Benchmarking;

/// <summary>One CPU cache as the OS describes it.</summary>
/// <param name="Level">1, 2, 3…</param>
/// <param name="Type"><c>Data</c>, <c>Instruction</c> or <c>Unified</c>.</param>
/// <param name="SizeBytes">Capacity in bytes.</param>
internal sealed record CpuCache(int Level, string Type, long SizeBytes);

/// <summary>
/// The caches of CPU 0 and the brick-rotation size derived from them. Rotation exists so a brick's weights are out of the
/// core's private caches when it runs again, as inside a model where other layers ran in between; so the size follows the
/// largest private (level 1–2) data or unified cache instead of a constant tuned on one machine.
/// </summary>
/// <param name="Caches">The caches found; empty when the OS exposes none.</param>
/// <param name="Source">Where they were read from (<c>sysfs</c>, <c>/proc/cpuinfo</c>) or <c>none</c>.</param>
internal sealed record CacheTopology(IReadOnlyList<CpuCache> Caches, string Source)
{
    /// <summary>
    /// Rotation spans this many times the largest private cache. 8 × the 1 MiB L2 of the machine the rotation was tuned on
    /// reproduces its tuned 8 MiB there.
    /// </summary>
    public const int RotationMultiple = 8;

    /// <summary>Rotation size used when no cache size can be read (the value tuned on a 1 MiB-L2 machine).</summary>
    public const long FallbackRotationBytes = 8L << 20;

    /// <summary>Bounds the derived rotation so a misreported cache cannot make it useless or make bricks hold huge copies.</summary>
    public const long MinRotationBytes = 1L << 20, MaxRotationBytes = 64L << 20;

    private static readonly Lazy<CacheTopology> Detected = new(() => Detect());

    /// <summary>This machine's caches, read once per process.</summary>
    public static CacheTopology Current => Detected.Value;

    /// <summary>The largest level-1 or level-2 data or unified cache, or null when none is known.</summary>
    public long? LargestPrivateCacheBytes
    {
        get
        {
            var privateCaches = Caches.Where(c => c.Level <= 2 && !c.Type.Equals("Instruction", StringComparison.OrdinalIgnoreCase)).ToList();
            return privateCaches.Count == 0 ? null : privateCaches.Max(c => c.SizeBytes);
        }
    }

    /// <summary><see cref="RotationMultiple"/> × <see cref="LargestPrivateCacheBytes"/>, clamped; <see cref="FallbackRotationBytes"/> when unknown.</summary>
    public long RotationBytes => LargestPrivateCacheBytes is { } size
        ? Math.Clamp(size * RotationMultiple, MinRotationBytes, MaxRotationBytes)
        : FallbackRotationBytes;

    /// <summary>
    /// Reads the caches from <paramref name="sysfsFolder"/> (<c>index*/level</c>, <c>type</c>, <c>size</c>), else the
    /// <c>cache size</c> line of <paramref name="cpuinfoPath"/> (taken as level 2: x86 kernels report the L2 of AMD and
    /// the per-core view of Intel there), else returns an empty topology. Never throws for missing or malformed files.
    /// </summary>
    public static CacheTopology Detect(string sysfsFolder = "/sys/devices/system/cpu/cpu0/cache", string cpuinfoPath = "/proc/cpuinfo")
    {
        var caches = ReadSysfs(sysfsFolder);
        if (caches.Count > 0) return new CacheTopology(caches, "sysfs");
        if (ReadCpuinfo(cpuinfoPath) is { } size) return new CacheTopology([new CpuCache(2, "Unified", size)], "/proc/cpuinfo");
        return new CacheTopology([], "none");
    }

    /// <summary>
    /// Parses a cache size as sysfs and /proc/cpuinfo write it: <c>32K</c>, <c>1024 KB</c>, <c>8M</c>, <c>1G</c> or plain
    /// bytes. Null for anything else.
    /// </summary>
    public static long? ParseSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text.Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);
        if (t.EndsWith("IB", StringComparison.Ordinal)) t = t[..^2];
        else if (t.EndsWith('B')) t = t[..^1];
        long multiplier = 1;
        if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            multiplier = t[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 0 };
            t = t[..^1];
        }
        if (multiplier == 0 || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0) return null;
        return value * multiplier;
    }

    private static List<CpuCache> ReadSysfs(string folder)
    {
        var caches = new List<CpuCache>();
        try
        {
            if (!Directory.Exists(folder)) return caches;
            foreach (var index in Directory.EnumerateDirectories(folder, "index*").Order(StringComparer.Ordinal))
            {
                var level = ReadText(Path.Combine(index, "level"));
                var size = ParseSize(ReadText(Path.Combine(index, "size")));
                if (!int.TryParse(level, NumberStyles.None, CultureInfo.InvariantCulture, out var l) || size is null) continue;
                caches.Add(new CpuCache(l, ReadText(Path.Combine(index, "type")) ?? "Unified", size.Value));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A partly readable sysfs is treated like a missing one: the fallback applies.
            caches.Clear();
        }
        return caches;
    }

    private static long? ReadCpuinfo(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("cache size", StringComparison.Ordinal));
            return line is null ? null : ParseSize(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadText(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;
}
