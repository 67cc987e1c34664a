using System.Globalization;

namespace DLBricks.Graph;

/// <summary>
/// Values for what a model leaves open: whole input shapes (<c>--shape NAME=1,3,640,640</c>), symbolic dims
/// (<c>--dim SYMBOL=N</c>) and input values that matter (<c>--value NAME=V[,V...]</c>). Options may be prefixed
/// <c>MODEL:</c> (model file name without extension) to apply to one model only.
/// </summary>
public sealed class ModelInputBindings
{
    /// <summary>No bindings: every symbolic dim must be a leading batch dim (defaulted to 1).</summary>
    public static ModelInputBindings None { get; } = new();

    /// <summary>Whole shapes by input name.</summary>
    public Dictionary<string, long[]> Shapes { get; } = new(StringComparer.Ordinal);

    /// <summary>Values of symbolic dims by symbol.</summary>
    public Dictionary<string, long> Dims { get; } = new(StringComparer.Ordinal);

    /// <summary>Input values by input name: one value fills the tensor, otherwise one value per element.</summary>
    public Dictionary<string, double[]> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Default of <see cref="MemoryLimitBytes"/>: 4 GiB.</summary>
    public const long DefaultMemoryLimitBytes = 4L << 30;

    /// <summary>
    /// The most bytes the model's inputs may take together (<c>--memory-limit</c>); shapes are checked against it, with
    /// overflow-safe arithmetic, before anything is allocated.
    /// </summary>
    public long MemoryLimitBytes { get; init; } = DefaultMemoryLimitBytes;

    /// <summary>Parses CLI-style <c>NAME=...</c> arguments, keeping those without a prefix or prefixed with <paramref name="modelName"/>.</summary>
    /// <exception cref="InvalidModelException">An argument is malformed; the message names it.</exception>
    public static ModelInputBindings Parse(string modelName, IEnumerable<string> shapes, IEnumerable<string> dims, IEnumerable<string> values,
        long memoryLimitBytes = DefaultMemoryLimitBytes)
    {
        var b = new ModelInputBindings { MemoryLimitBytes = memoryLimitBytes };
        foreach (var (key, text) in Select(modelName, shapes, "--shape"))
        {
            var shape = ParseList(text, "--shape", key, s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture));
            if (shape.Any(d => d < 0))
                throw new InvalidModelException($"--shape {key}={text}: dims must be zero or positive.");
            b.Shapes[key] = shape;
        }
        foreach (var (key, text) in Select(modelName, dims, "--dim"))
        {
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v <= 0)
                throw new InvalidModelException($"--dim {key}={text}: the value must be a positive integer.");
            b.Dims[key] = v;
        }
        foreach (var (key, text) in Select(modelName, values, "--value"))
            b.Values[key] = ParseList(text, "--value", key, s => double.Parse(s, CultureInfo.InvariantCulture));
        return b;
    }

    private static IEnumerable<(string Key, string Value)> Select(string modelName, IEnumerable<string> args, string option)
    {
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=');
            if (eq <= 0 || eq == arg.Length - 1)
                throw new InvalidModelException($"{option} {arg}: expected NAME=VALUE (optionally MODEL:NAME=VALUE).");
            var key = arg[..eq];
            var value = arg[(eq + 1)..];
            // Tensor names may contain ':' themselves; a prefix counts only when it is a model given on the command line.
            var colon = key.IndexOf(':');
            if (colon > 0)
            {
                var prefix = key[..colon];
                if (prefix == modelName) { yield return (key[(colon + 1)..], value); continue; }
                if (LooksLikeModelPrefix(prefix)) continue;
            }
            yield return (key, value);
        }
    }

    // A prefix is a model filter when it is a plain file stem (no path separators); tensor names like "gpu_0/data_0" have none before ':' either,
    // so callers with several models should always prefix. With a single model an unknown prefix is ignored, which is harmless.
    private static bool LooksLikeModelPrefix(string prefix) => prefix.Length > 0 && !prefix.Contains('/');

    private static T[] ParseList<T>(string text, string option, string key, Func<string, T> parse)
    {
        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries).Select(parse).ToArray();
        }
        catch (FormatException)
        {
            throw new InvalidModelException($"{option} {key}={text}: expected a comma-separated list of numbers.");
        }
        catch (OverflowException)
        {
            throw new InvalidModelException($"{option} {key}={text}: a number is out of range.");
        }
    }
}
