using DLBricks.Graph;
using DLBricks.Splitting;

namespace DLBricks.Tests.Graph;

/// <summary>The graph cache answers only for the same model bytes, source and inputs, and its answer splits like a fresh probe.</summary>
public class GraphCacheTests
{
    private static string Model(string folder, string name, int seed, object batch)
    {
        var m = new TinyModel(seed: seed).Input("x", batch, 16);
        m.Weight("w", 16, 16);
        m.Weight("b", 16);
        m.Node("MatMul", ["x", "w"], ["a"]);
        m.Node("Add", ["a", "b"], ["c"]);
        m.Node("Relu", ["c"], ["y"]);
        m.Output("y");
        return m.Save(folder, name);
    }

    private static IReadOnlyList<string> Hashes(LayerGraph graph) => ModelSplitter.Split(graph, 2).Pieces.Select(p => p.Brick.Hash).ToList();

    [Fact]
    public void A_second_build_reads_the_cache_and_splits_into_the_same_bricks()
    {
        using var temp = new TempFolder();
        var path = Model(temp.Path, "mlp", seed: 1, batch: 1);
        var cache = new GraphCache(temp.File("cache"));

        var fresh = LayerGraphBuilder.Build(path, LayerSourceOptions.Default, null, cache, times: null);
        Assert.Equal((0, 1), (cache.Hits, cache.Misses));
        var cached = LayerGraphBuilder.Build(path, LayerSourceOptions.Default, null, cache, times: null);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));

        Assert.Equal(fresh.Layers.Select(l => l.QualifiedOpType), cached.Layers.Select(l => l.QualifiedOpType));
        Assert.Equal(Hashes(fresh), Hashes(cached));
        Assert.Equal(Hashes(LayerGraphBuilder.Build(path, LayerSourceOptions.Default)), Hashes(cached));
        Assert.Equal(path, cached.Model.Path);
    }

    [Fact]
    public void Changed_bytes_level_source_or_inputs_miss()
    {
        using var temp = new TempFolder();
        var path = Model(temp.Path, "mlp", seed: 1, batch: "batch");
        var cache = new GraphCache(temp.File("cache"));
        var batch1 = new ModelInputBindings { Dims = { ["batch"] = 1 } };
        LayerGraphBuilder.Build(path, LayerSourceOptions.Default, batch1, cache, null);
        LayerGraphBuilder.Build(path, LayerSourceOptions.Default, batch1, cache, null);
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));

        LayerGraphBuilder.Build(path, LayerSourceOptions.Default, new ModelInputBindings { Dims = { ["batch"] = 2 } }, cache, null);
        LayerGraphBuilder.Build(path, new LayerSourceOptions(LayerSourceKind.Optimized, OptimizationLevel.Basic), batch1, cache, null);
        LayerGraphBuilder.Build(path, LayerSourceOptions.Raw, batch1, cache, null);
        Assert.Equal((1, 4), (cache.Hits, cache.Misses));

        // Same name and shapes, other weights: the model's bytes changed, so the entry does not apply.
        Model(temp.Path, "mlp", seed: 2, batch: "batch");
        var changed = LayerGraphBuilder.Build(path, LayerSourceOptions.Default, batch1, cache, null);
        Assert.Equal((1, 5), (cache.Hits, cache.Misses));
        Assert.Equal(Hashes(LayerGraphBuilder.Build(path, LayerSourceOptions.Default, batch1)), Hashes(changed));
    }

    [Fact]
    public void A_damaged_entry_is_recomputed()
    {
        using var temp = new TempFolder();
        var path = Model(temp.Path, "mlp", seed: 1, batch: 1);
        var cache = new GraphCache(temp.File("cache"));
        var fresh = LayerGraphBuilder.Build(path, LayerSourceOptions.Default, null, cache, null);
        var probe = Assert.Single(Directory.GetFiles(cache.Folder, "probe.json", SearchOption.AllDirectories));
        File.WriteAllText(probe, "{\"x\": {\"ElementType\": ");

        var again = LayerGraphBuilder.Build(path, LayerSourceOptions.Default, null, cache, null);
        Assert.Equal((0, 2), (cache.Hits, cache.Misses));
        Assert.Equal(Hashes(fresh), Hashes(again));
        // The damaged entry was replaced by a good one.
        LayerGraphBuilder.Build(path, LayerSourceOptions.Default, null, cache, null);
        Assert.Equal((1, 2), (cache.Hits, cache.Misses));
    }
}
