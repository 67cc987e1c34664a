using System.Text.Json;
using System.Text.Json.Serialization;

namespace DLBricks.Export;

/// <summary>
/// Which graph was split: the model as written (<c>raw</c>) or the model ONNX Runtime saves after its graph
/// optimizations at <see cref="Level"/> for the execution provider <see cref="Provider"/> (<c>optimized</c>). Bricks of
/// different sources, levels or providers never mix in one catalog.
/// </summary>
/// <param name="Kind"><c>raw</c> or <c>optimized</c>.</param>
/// <param name="Level"><c>basic</c>, <c>extended</c> or <c>all</c> for optimized sources; <c>null</c> for raw.</param>
public sealed record LayerSourceInfo(string Kind, string? Level)
{
    /// <summary>The raw model graph.</summary>
    public static LayerSourceInfo Raw { get; } = new("raw", null);

    /// <summary>
    /// Execution provider the optimized graph was made for (<c>cpu</c> or <c>cuda</c>): ONNX Runtime optimizes for the
    /// providers of the session, so a graph optimized for one carries layout operators and fusions the other runs badly or on
    /// the wrong device. Null for raw sources (the graph as written suits every provider); catalogs written before this field
    /// existed were always optimized for the CPU and are read as <c>cpu</c> (see <see cref="WithDefaults"/>).
    /// </summary>
    public string? Provider { get; init; }

    /// <summary>This source with the fields older catalogs and recipes lack filled in: an optimized source without a provider is the CPU's.</summary>
    public LayerSourceInfo WithDefaults() => Kind == "optimized" && Provider is null ? this with { Provider = "cpu" } : this;

    /// <summary>
    /// Why bricks of this source must not run under <paramref name="executionProvider"/>, or null when they may: bricks cut from a
    /// graph optimized for one provider are not the graph another provider executes.
    /// </summary>
    public string? MismatchWith(string executionProvider)
    {
        if (Kind != "optimized")
            return null;
        var madeFor = Provider ?? "cpu";
        if (string.Equals(madeFor, executionProvider, StringComparison.OrdinalIgnoreCase))
            return null;
        return $"the bricks were cut from the graph ONNX Runtime optimizes for the {madeFor} provider, not for {executionProvider}; " +
               $"split the models again with --ep {executionProvider}, or run with --ep {madeFor}.";
    }

    /// <summary>Short label such as <c>raw</c>, <c>optimized:all</c> or <c>optimized:all@cuda</c> (the provider shown when not the CPU).</summary>
    public override string ToString() =>
        (Level is null ? Kind : $"{Kind}:{Level}") + (Provider is { } p && p != "cpu" ? $"@{p}" : "");
}

/// <summary>One input or output tensor of a brick, as the benchmark must feed or expect it.</summary>
/// <param name="Name">Canonical tensor name inside the brick (<c>in0</c>, <c>out1</c>, ...).</param>
/// <param name="ElementType">ONNX element type name in lower case: <c>float</c>, <c>int64</c>, <c>bool</c>, ...</param>
/// <param name="Shape">Static shape; every dim is known.</param>
/// <param name="Values">For integer inputs: the values seen in the model (indices, lengths), to feed verbatim.</param>
/// <param name="Min">For integer inputs without <paramref name="Values"/>: the smallest valid value.</param>
/// <param name="Max">For integer inputs without <paramref name="Values"/>: the largest valid value.</param>
public sealed record BrickTensor(string Name, string ElementType, long[] Shape, long[]? Values = null, double? Min = null, double? Max = null);

/// <summary>One unique brick: a standalone ONNX model of at most G consecutive layers.</summary>
/// <param name="Hash">SHA-256 of the brick's canonical form, lower-case hex; also the file stem.</param>
/// <param name="File">Path of the brick file relative to the catalog folder (<c>bricks/&lt;hash&gt;.onnx</c>).</param>
/// <param name="OpTypes">Op types of the brick's layers in order (domain-qualified when not the default domain).</param>
/// <param name="LayerCount">Number of layers in the brick.</param>
/// <param name="Inputs">Graph inputs the benchmark must feed.</param>
/// <param name="Outputs">Graph outputs.</param>
/// <param name="Flops">Approximate floating-point operations of one run.</param>
/// <param name="Parameters">Number of weight elements embedded in the brick.</param>
/// <param name="BytesMoved">Bytes of inputs, outputs and weights touched by one run.</param>
public sealed record BrickEntry(
    string Hash,
    string File,
    IReadOnlyList<string> OpTypes,
    int LayerCount,
    IReadOnlyList<BrickTensor> Inputs,
    IReadOnlyList<BrickTensor> Outputs,
    long Flops,
    long Parameters,
    long BytesMoved);

/// <summary>
/// The public description of a brick set (<c>catalog.json</c>): what a model owner may publish together with <c>bricks/</c>.
/// It names no model and carries no topology.
/// </summary>
/// <param name="FormatVersion">Catalog format version.</param>
/// <param name="Source">Layer source the bricks were cut from.</param>
/// <param name="Bricks">Unique bricks, ordered by hash.</param>
public sealed record BrickCatalog(int FormatVersion, LayerSourceInfo Source, IReadOnlyList<BrickEntry> Bricks)
{
    /// <summary>Current <see cref="FormatVersion"/>.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>File name of the catalog inside a split output folder.</summary>
    public const string FileName = "catalog.json";

    /// <summary>Reads <c>catalog.json</c> from a split output folder (or the file itself).</summary>
    /// <exception cref="InvalidDataException">The file is missing or not a catalog; the message names the file.</exception>
    public static BrickCatalog Load(string folderOrFile)
    {
        var path = Directory.Exists(folderOrFile) ? Path.Combine(folderOrFile, FileName) : folderOrFile;
        if (!System.IO.File.Exists(path))
            throw new InvalidDataException($"{path}: no brick catalog here; run 'dlbricks split ... -o DIR' first.");
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            var catalog = JsonSerializer.Deserialize<BrickCatalog>(stream, CatalogJson.Options)
                          ?? throw new InvalidDataException($"{path}: empty catalog.");
            return catalog with { Source = catalog.Source.WithDefaults() };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid brick catalog ({e.Message}).", e);
        }
    }
}

/// <summary>JSON conventions shared by <c>catalog.json</c> and recipes: snake_case keys, indented, no nulls.</summary>
public static class CatalogJson
{
    /// <summary>Serializer options for catalog and recipe files.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
