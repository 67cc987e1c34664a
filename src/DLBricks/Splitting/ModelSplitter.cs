using DLBricks.Export;
using DLBricks.Graph;

namespace DLBricks.Splitting;

/// <summary>One brick occurrence in a split: a canonical brick computing a run of consecutive layers.</summary>
/// <param name="FirstLayer">First layer index.</param>
/// <param name="LayerCount">Number of layers.</param>
/// <param name="Brick">The canonical brick.</param>
internal sealed record SplitPiece(int FirstLayer, int LayerCount, CanonicalBrick Brick);

/// <summary>A model split into bricks: the sequence (Algorithm 1), and with overlap every valid window.</summary>
/// <param name="Graph">The split model.</param>
/// <param name="Granularity">G.</param>
/// <param name="Pieces">Bricks in execution order, covering every layer once.</param>
/// <param name="Windows">With overlap: every runnable window of 1..G layers; otherwise empty.</param>
/// <param name="LayerHashes">Hash of each single layer as a brick (for repetition statistics).</param>
internal sealed record ModelSplit(
    LayerGraph Graph,
    int Granularity,
    IReadOnlyList<SplitPiece> Pieces,
    IReadOnlyList<SplitPiece> Windows,
    IReadOnlyList<string> LayerHashes)
{
    /// <summary>The split's layer and brick hashes, without the graph (which holds the model and its weights).</summary>
    public SplitHashes Hashes() => new(Graph.Name, LayerHashes, Pieces.Select(p => p.Brick.Hash).ToList());

    /// <summary>The private recipe of this split: occurrences, brick-level DAG, windows.</summary>
    public ModelRecipe ToRecipe(LayerSourceInfo source)
    {
        var occurrences = Pieces.Select((p, i) => new BrickOccurrence(i, p.Brick.Hash, p.FirstLayer, p.LayerCount)).ToList();
        var ownerOfLayer = new int[Graph.Layers.Count];
        foreach (var o in occurrences)
            for (var l = o.FirstLayer; l < o.FirstLayer + o.LayerCount; l++) ownerOfLayer[l] = o.Index;
        var edges = new SortedSet<(int, int)>();
        foreach (var edge in Graph.Dag.Edges)
        {
            var from = ownerOfLayer[edge.Source];
            var to = ownerOfLayer[edge.Target];
            if (from != to) edges.Add((from, to));
        }
        return new ModelRecipe(
            Graph.Name,
            Granularity,
            source,
            Graph.Layers.Count,
            LayerHashes.Distinct().Count(),
            occurrences.Select(o => o.Hash).Distinct().Count(),
            occurrences,
            edges.Select(e => new OccurrenceEdge(e.Item1, e.Item2)).ToList(),
            Windows.Count == 0 ? null : Windows.Select(w => new BrickWindow(w.FirstLayer, w.LayerCount, w.Brick.Hash)).ToList(),
            ResolvedInputs());
    }

    /// <summary>The model's real inputs with the static shapes the shape probe ran with.</summary>
    private List<RecipeInput> ResolvedInputs() => Graph.Inputs
        .Where(Graph.Tensors.ContainsKey)
        .Select(name => new RecipeInput(name, Onnx.ElementTypes.Name(Graph.Tensors[name].ElementType), Graph.Tensors[name].Shape ?? []))
        .ToList();
}

/// <summary>A split reduced to its hashes: cheap to keep for a whole corpus, enough for repetition statistics.</summary>
/// <param name="Model">Model name.</param>
/// <param name="LayerHashes">Hash of each layer as a single-layer brick, in layer order.</param>
/// <param name="BrickHashes">Hash of each brick occurrence, in execution order.</param>
internal sealed record SplitHashes(string Model, IReadOnlyList<string> LayerHashes, IReadOnlyList<string> BrickHashes);

/// <summary>
/// The paper's splitting: Algorithm 1 (FindModelSubgraphs) walks the topological layer order and asks Algorithm 2
/// (SplitModel) for the next brick; SplitModel takes the next G layers if they form a runnable network and otherwise
/// emits the first layer alone, and the walk goes on after what was emitted.
/// </summary>
internal static class ModelSplitter
{
    /// <summary>Splits a layer graph at granularity <paramref name="granularity"/>.</summary>
    /// <param name="graph">The model.</param>
    /// <param name="granularity">G ≥ 1: the most layers per brick.</param>
    /// <param name="overlap">Also enumerate every runnable window of 1..G consecutive layers.</param>
    /// <param name="accept">
    /// Extra runnability check on a multi-layer candidate (e.g. "ONNX Runtime loads it"); a refused candidate falls back like a
    /// structurally invalid one. Single layers are always emitted, as in Algorithm 2.
    /// </param>
    public static ModelSplit Split(LayerGraph graph, int granularity, bool overlap = false, Func<CanonicalBrick, bool>? accept = null)
    {
        if (granularity < 1) throw new ArgumentOutOfRangeException(nameof(granularity), granularity, "G must be at least 1");
        var n = graph.Layers.Count;
        // Every layer's single-layer hash is needed (repetition statistics), but its canonical brick only where it becomes a
        // piece or a window. Building singles along the walk instead of all up front lets those inside multi-layer pieces be
        // collected at once: on large models the live heap, and with it the GC's promotion work, is what splitting costs.
        var layerHashes = new string[n];
        var keptSingles = overlap ? new CanonicalBrick[n] : null;
        CanonicalBrick Single(int i)
        {
            var brick = CanonicalBrick.From(BrickSpec.For(graph, i, 1));
            layerHashes[i] = brick.Hash;
            if (keptSingles is not null) keptSingles[i] = brick;
            return brick;
        }

        var pieces = new List<SplitPiece>();
        var begin = 0;
        while (begin < n) // Algorithm 1
        {
            // Algorithm 2 (SplitModel): the next G layers when they stand alone, else the first layer alone.
            var end = Math.Min(begin + granularity, n);
            SplitPiece piece;
            if (end - begin > 1 && TryCandidate(graph, begin, end - begin, accept) is { } brick)
            {
                piece = new SplitPiece(begin, end - begin, brick);
                for (var i = begin; i < end; i++) Single(i);
            }
            else
            {
                piece = new SplitPiece(begin, 1, Single(begin));
            }
            pieces.Add(piece);
            begin += piece.LayerCount;
        }

        var windows = new List<SplitPiece>();
        if (keptSingles is not null)
        {
            for (var start = 0; start < n; start++)
            {
                windows.Add(new SplitPiece(start, 1, keptSingles[start]));
                for (var size = 2; size <= granularity && start + size <= n; size++)
                {
                    var candidate = TryCandidate(graph, start, size, accept);
                    if (candidate is not null) windows.Add(new SplitPiece(start, size, candidate));
                }
            }
        }
        return new ModelSplit(graph, granularity, pieces, windows, layerHashes);
    }

    private static CanonicalBrick? TryCandidate(LayerGraph graph, int begin, int count, Func<CanonicalBrick, bool>? accept)
    {
        var spec = BrickSpec.For(graph, begin, count);
        if (!spec.IsRunnable) return null;
        var brick = CanonicalBrick.From(spec);
        return accept is null || accept(brick) ? brick : null;
    }
}
