using System.Text.Json;
using System.Text.Json.Serialization;

namespace DLBricks.Splitting;

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
/// A multi-layer candidate that ONNX Runtime refused to load while splitting; Algorithm 2 fell back to emitting its first
/// layer alone and went on from there.
/// </summary>
/// <param name="Hash">Hash of the refused candidate (no file is written for it).</param>
/// <param name="OpTypes">Op types of the candidate's layers in order.</param>
/// <param name="Reason">ONNX Runtime's reason, on one line (names inside it are the brick's canonical names).</param>
public sealed record BrickFallback(string Hash, IReadOnlyList<string> OpTypes, string Reason);

/// <summary>
/// The public description of a brick set (<c>catalog.json</c>): what a model owner may publish together with <c>bricks/</c>.
/// It names no model and carries no topology.
/// </summary>
/// <param name="FormatVersion">Catalog format version.</param>
/// <param name="Source">Layer source the bricks were cut from.</param>
/// <param name="Bricks">Unique bricks, ordered by hash.</param>
/// <param name="Fallbacks">Candidates ONNX Runtime refused during the split, ordered by hash; null when there were none.</param>
public sealed record BrickCatalog(int FormatVersion, LayerSourceInfo Source, IReadOnlyList<BrickEntry> Bricks,
    IReadOnlyList<BrickFallback>? Fallbacks = null)
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
internal static class CatalogJson
{
    /// <summary>Serializer options for catalog and recipe files.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
