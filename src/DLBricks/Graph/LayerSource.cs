namespace DLBricks.Graph;

/// <summary>Which graph is split into layers.</summary>
public enum LayerSourceKind
{
    /// <summary>The model as written, after constant folding.</summary>
    Raw,
    /// <summary>The model ONNX Runtime saves after its own graph optimizations: the layers the runtime really executes.</summary>
    Optimized,
}

/// <summary>ONNX Runtime graph optimization level used for an optimized layer source.</summary>
public enum OptimizationLevel
{
    /// <summary>No optimization.</summary>
    Disabled,
    /// <summary>Constant folding and redundant-node elimination.</summary>
    Basic,
    /// <summary>Basic plus fusions (Conv+BN, MatMul+Add, LayerNorm, attention...).</summary>
    Extended,
    /// <summary>Extended plus layout optimizations (NCHWc); the result is tied to the CPU kind.</summary>
    All,
}

/// <summary>Layer source and optimization level.</summary>
/// <param name="Kind">Raw or optimized.</param>
/// <param name="Level">Optimization level for <see cref="LayerSourceKind.Optimized"/>.</param>
internal sealed record LayerSourceOptions(LayerSourceKind Kind, OptimizationLevel Level = OptimizationLevel.Extended)
{
    /// <summary>
    /// Execution provider the optimized source is made for (<c>cpu</c> or <c>cuda</c>): the provider the bricks will be
    /// benchmarked with. ONNX Runtime's optimizations depend on it (NCHWc layout operators only for the CPU, CUDA-only fusions).
    /// </summary>
    public string Provider { get; init; } = "cpu";

    /// <summary>The raw model.</summary>
    public static LayerSourceOptions Raw { get; } = new(LayerSourceKind.Raw);

    /// <summary>
    /// The default layer source: the model ONNX Runtime executes after all its graph optimizations. The validation report in
    /// the README picked it: with it, brick sums land closest to end-to-end latency (fusions and layout changes are in the
    /// bricks, not lost at brick boundaries).
    /// </summary>
    public static LayerSourceOptions Default { get; } = new(LayerSourceKind.Optimized, OptimizationLevel.All);

    /// <summary>Lower-case name of an optimization level, as the CLI spells it.</summary>
    public static string LevelName(OptimizationLevel level) => level.ToString().ToLowerInvariant();

    /// <summary>Parses <c>disabled|basic|extended|all</c>.</summary>
    public static OptimizationLevel ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "disabled" or "none" => OptimizationLevel.Disabled,
        "basic" => OptimizationLevel.Basic,
        "extended" => OptimizationLevel.Extended,
        "all" => OptimizationLevel.All,
        _ => throw new InvalidModelException($"unknown optimization level '{text}'; use disabled, basic, extended or all."),
    };

    /// <summary>The catalog's description of this source.</summary>
    public LayerSourceInfo ToInfo() =>
        Kind == LayerSourceKind.Raw ? LayerSourceInfo.Raw : new LayerSourceInfo("optimized", LevelName(Level)) { Provider = Provider };
}
