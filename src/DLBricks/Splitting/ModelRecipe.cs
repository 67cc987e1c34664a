using System.Text.Json;

namespace DLBricks.Splitting;

/// <summary>One place in a model where a brick runs: consecutive layers <see cref="FirstLayer"/>.. of the topological order.</summary>
/// <param name="Index">Position of the occurrence in the model's brick sequence.</param>
/// <param name="Hash">Hash of the brick that computes these layers.</param>
/// <param name="FirstLayer">Index of the first layer in the model's topological layer order.</param>
/// <param name="LayerCount">Number of layers covered.</param>
public sealed record BrickOccurrence(int Index, string Hash, int FirstLayer, int LayerCount);

/// <summary>A data dependency between two occurrences: <see cref="To"/> consumes a tensor <see cref="From"/> produces.</summary>
public sealed record OccurrenceEdge(int From, int To);

/// <summary>An overlapping window of layers (<c>--overlap</c>): any of these may be chosen to cover its layers.</summary>
/// <param name="FirstLayer">First layer index covered.</param>
/// <param name="LayerCount">Number of consecutive layers covered.</param>
/// <param name="Hash">Hash of the brick computing the window.</param>
public sealed record BrickWindow(int FirstLayer, int LayerCount, string Hash);

/// <summary>One real input of a split model with the static shape it was split at (after <c>--shape</c>/<c>--dim</c>).</summary>
/// <param name="Name">Input name in the model.</param>
/// <param name="ElementType">ONNX element type name in lower case (<c>float</c>, <c>int64</c>, ...).</param>
/// <param name="Shape">The resolved static shape: batch and sequence sizes the bricks were cut at.</param>
public sealed record RecipeInput(string Name, string ElementType, long[] Shape)
{
    /// <summary><c>name=8x3x224x224</c>.</summary>
    public override string ToString() => $"{Name}={(Shape.Length == 0 ? "scalar" : string.Join('x', Shape))}";

    /// <summary>The inputs as one line (<c>input_ids=4x128, attention_mask=4x128</c>); empty when unknown (recipes written before sizes were recorded).</summary>
    internal static string Describe(IReadOnlyList<RecipeInput>? inputs) => inputs is null ? "" : string.Join(", ", inputs);
}

/// <summary>
/// The private part of a split: how one model is assembled from bricks. Reveals the model's topology, so it stays
/// with the model owner (<c>recipes/</c>) and is never written next to the public bricks.
/// </summary>
/// <param name="Model">Model name (file name without extension).</param>
/// <param name="Granularity">G: the most layers a brick may hold.</param>
/// <param name="Source">Layer source the split used.</param>
/// <param name="LayerCount">Layers of the model after constant folding.</param>
/// <param name="UniqueLayerCount">Distinct single-layer hashes among the model's layers.</param>
/// <param name="UniqueBrickCount">Distinct bricks among <see cref="Occurrences"/>.</param>
/// <param name="Occurrences">The model's bricks in execution order (Algorithm 1).</param>
/// <param name="Edges">Dependencies between occurrences (the brick-level DAG).</param>
/// <param name="Windows">With <c>--overlap</c>: every valid window of up to G layers; otherwise null.</param>
/// <param name="Inputs">
/// The model's inputs with the shapes the split resolved (batch and sequence sizes); null in recipes written before they were
/// recorded. Kept here, in the private recipe, because the public catalog names no model; each brick's own input shapes are in
/// the catalog and in its hash, so results of two batch sizes never share a brick result.
/// </param>
public sealed record ModelRecipe(
    string Model,
    int Granularity,
    LayerSourceInfo Source,
    int LayerCount,
    int UniqueLayerCount,
    int UniqueBrickCount,
    IReadOnlyList<BrickOccurrence> Occurrences,
    IReadOnlyList<OccurrenceEdge> Edges,
    IReadOnlyList<BrickWindow>? Windows = null,
    IReadOnlyList<RecipeInput>? Inputs = null)
{
    /// <summary>Folder of recipes inside a split output folder.</summary>
    public const string FolderName = "recipes";

    /// <summary>Reads a recipe file.</summary>
    /// <exception cref="InvalidDataException">The file is missing or malformed; the message names it.</exception>
    public static ModelRecipe Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: recipe not found.");
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<ModelRecipe>(stream, CatalogJson.Options)
                   ?? throw new InvalidDataException($"{path}: empty recipe.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid recipe ({e.Message}).", e);
        }
    }
}
