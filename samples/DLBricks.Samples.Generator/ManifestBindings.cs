using DLBricks.Corpus.Manifests;
using DLBricks.Graph;

namespace DLBricks.Samples.Generator;

/// <summary>
/// Turns what a manifest declares about its inputs into <see cref="ModelInputBindings"/>: the symbolic dim values, every
/// input's concrete shape, and values drawn from the declared range for integer inputs (token ids, masks), so models
/// with symbolic batch/sequence dims split and run with the inputs their manifest intends.
/// </summary>
internal static class ManifestBindings
{
    /// <summary>The bindings of <paramref name="manifest"/>.</summary>
    public static ModelInputBindings For(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var bindings = new ModelInputBindings();
        foreach (var (symbol, value) in manifest.Dims) bindings.Dims[symbol] = value;
        foreach (var input in manifest.Inputs)
        {
            var shape = manifest.ConcreteShape(input);
            // Whole shapes as well as dims: a model whose symbols are spelled differently from the manifest still gets its sizes.
            bindings.Shapes[input.Name] = shape;
            if (input.Min is { } min && input.Max is { } max)
                bindings.Values[input.Name] = DrawValues(input.Name, min, max, shape);
        }
        return bindings;
    }

    /// <summary>
    /// Deterministic values spread over [min, max]: seeded by the input name so every run (and the bricks' probe) feeds the
    /// same ids. A single-valued range fills the tensor with one value.
    /// </summary>
    private static double[] DrawValues(string inputName, long min, long max, long[] shape)
    {
        if (min == max) return [min];
        var count = checked((int)shape.Aggregate(1L, (a, d) => a * d));
        var random = new Random(StableSeed(inputName));
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = random.NextInt64(min, max + 1);
        return values;
    }

    // string.GetHashCode is randomized per process; the seed must not be.
    private static int StableSeed(string text)
    {
        var hash = 17;
        foreach (var c in text) hash = unchecked(hash * 31 + c);
        return hash;
    }
}
