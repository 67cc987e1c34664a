namespace DLBricks.Shared;

/// <summary>
/// Which graph was split: the model as written (<c>raw</c>) or the model ONNX Runtime saves after its graph
/// optimizations at <see cref="Level"/> (<c>optimized</c>). Bricks of different sources or levels never mix in one catalog.
/// </summary>
/// <param name="Kind"><c>raw</c> or <c>optimized</c>.</param>
/// <param name="Level"><c>basic</c>, <c>extended</c> or <c>all</c> for optimized sources; <c>null</c> for raw.</param>
public sealed record LayerSourceInfo(string Kind, string? Level)
{
    /// <summary>The raw model graph.</summary>
    public static LayerSourceInfo Raw { get; } = new("raw", null);

    /// <summary>Short label such as <c>raw</c> or <c>optimized:all</c>.</summary>
    public override string ToString() => Level is null ? Kind : $"{Kind}:{Level}";
}
