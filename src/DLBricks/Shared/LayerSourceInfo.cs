namespace DLBricks.Shared;

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
