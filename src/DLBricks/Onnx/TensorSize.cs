namespace DLBricks.Onnx;

/// <summary>
/// Element counts and byte sizes of tensors computed with overflow-checked arithmetic, so a hostile or mistyped shape
/// (an input declared <c>[2^40, 2^40]</c>, a huge <c>--shape</c>) becomes a clear error instead of an overflow or a
/// multi-terabyte allocation.
/// </summary>
internal static class TensorSize
{
    /// <summary>Number of elements of <paramref name="shape"/>, or null when it does not fit in 64 bits or a dim is negative.</summary>
    public static long? TryElementCount(IEnumerable<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) return null;
            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                return null;
            }
        }
        return count;
    }

    /// <summary>Bytes <paramref name="count"/> elements of <paramref name="dataType"/> take (strings counted as one byte each), or null on overflow.</summary>
    public static long? TryByteSize(long count, int dataType)
    {
        var size = Math.Max(ElementTypes.Size(dataType), 1);
        try
        {
            return checked(count * size);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks that a tensor of <paramref name="shape"/> fits in memory under <paramref name="limitBytes"/> and in one .NET array,
    /// and returns its element count.
    /// </summary>
    /// <param name="shape">The tensor's dims.</param>
    /// <param name="dataType">ONNX element type.</param>
    /// <param name="limitBytes">The largest size allowed.</param>
    /// <param name="what">Who the tensor is, for the message (e.g. <c>model.onnx: input 'x'</c>).</param>
    /// <exception cref="InvalidModelException">The shape overflows or is over the limit; the message names <paramref name="what"/> and the fix.</exception>
    public static int CheckedElementCount(IReadOnlyList<long> shape, int dataType, long limitBytes, string what)
    {
        var dims = $"[{string.Join(',', shape)}]";
        var count = TryElementCount(shape)
                    ?? throw new InvalidModelException($"{what}: shape {dims} has a negative dim or more elements than fit in 64 bits; give a smaller --shape or --dim.");
        var bytes = TryByteSize(count, dataType)
                    ?? throw new InvalidModelException($"{what}: shape {dims} needs more bytes than fit in 64 bits; give a smaller --shape or --dim.");
        if (bytes > limitBytes)
            throw new InvalidModelException(
                $"{what}: shape {dims} needs {Describe(bytes)}, over the memory limit of {Describe(limitBytes)}; give a smaller --shape or --dim, or raise --memory-limit.");
        if (count > Array.MaxLength)
            throw new InvalidModelException($"{what}: shape {dims} has {count} elements, more than one buffer can hold ({Array.MaxLength}); give a smaller --shape or --dim.");
        return (int)count;
    }

    /// <summary>A byte count for people: <c>512 B</c>, <c>3.0 MiB</c>, <c>16.0 GiB</c>.</summary>
    public static string Describe(long bytes) => bytes switch
    {
        < 1L << 10 => $"{bytes} B",
        < 1L << 20 => FormattableString.Invariant($"{bytes / 1024.0:0.0} KiB"),
        < 1L << 30 => FormattableString.Invariant($"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => FormattableString.Invariant($"{bytes / (1024.0 * 1024 * 1024):0.0} GiB"),
    };

    /// <summary>Parses a size such as <c>4GiB</c>, <c>512MB</c>, <c>1073741824</c> (units are powers of 1024).</summary>
    /// <exception cref="InvalidModelException">The text is not a positive size.</exception>
    public static long ParseSize(string text, string option)
    {
        var t = text.Trim();
        var units = new (string Suffix, long Factor)[]
        {
            ("TIB", 1L << 40), ("TB", 1L << 40), ("T", 1L << 40), ("GIB", 1L << 30), ("GB", 1L << 30), ("G", 1L << 30),
            ("MIB", 1L << 20), ("MB", 1L << 20), ("M", 1L << 20), ("KIB", 1L << 10), ("KB", 1L << 10), ("K", 1L << 10), ("B", 1),
        };
        long factor = 1;
        foreach (var (suffix, f) in units)
        {
            if (!t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            t = t[..^suffix.Length].Trim();
            factor = f;
            break;
        }
        if (!double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value <= 0 || value * factor >= long.MaxValue)
            throw new InvalidModelException($"{option} {text}: expected a positive size such as 4GiB, 512MiB or a number of bytes.");
        return (long)(value * factor);
    }
}
