using System.Globalization;

namespace DLBricks.Corpus.Families;

/// <summary>
/// Free-form family configuration (the <c>config</c> map of a manifest) with typed reads. Reads are tracked so
/// that a key no family consumed is reported instead of silently ignored.
/// </summary>
public sealed class FamilyOptions
{
    private readonly IReadOnlyDictionary<string, string> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>Wraps a key/value map (null means empty).</summary>
    public FamilyOptions(IReadOnlyDictionary<string, string>? values = null) =>
        _values = values ?? new Dictionary<string, string>();

    /// <summary>No options.</summary>
    public static FamilyOptions Empty => new();

    /// <summary>Integer option.</summary>
    public int Int(string key, int fallback)
    {
        _read.Add(key);
        if (!_values.TryGetValue(key, out var s)) return fallback;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new FormatException($"config '{key}' must be a positive integer, got '{s}'");
    }

    /// <summary>String option.</summary>
    public string String(string key, string fallback)
    {
        _read.Add(key);
        return _values.TryGetValue(key, out var s) ? s : fallback;
    }

    /// <summary>
    /// The batch dimension: the option "batch" is either a positive integer or "symbolic" (dim named "batch").
    /// </summary>
    public Building.Dim Batch(bool symbolicByDefault = false)
    {
        _read.Add("batch");
        if (!_values.TryGetValue("batch", out var s)) return symbolicByDefault ? "batch" : 1;
        if (s == "symbolic") return "batch";
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new FormatException($"config 'batch' must be a positive integer or 'symbolic', got '{s}'");
    }

    /// <summary>Throws if a key was supplied that the family never read.</summary>
    public void EnsureAllRead(string family)
    {
        foreach (var key in _values.Keys.Order(StringComparer.Ordinal))
            if (!_read.Contains(key)) throw new FormatException($"config key '{key}' is not understood by family '{family}'");
    }
}
