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

    [Fact]
    public void The_runtimes_node_order_does_not_change_the_layers_or_the_bricks()
    {
        // ONNX Runtime writes an optimized graph's nodes in an order that differs between runs (seen on Inception v2: fused
        // and reorder nodes move). Replay that with the cache: a second entry holds the same graph in another valid order.
        using var temp = new TempFolder();
        var cache = new GraphCache(temp.File("cache"));
        var path = TestPaths.LightModel("inception_v1");
        var fresh = LayerGraphBuilder.Build(path, LayerSourceOptions.Default, null, cache, times: null);

        var entry = Assert.Single(Directory.GetDirectories(cache.Folder));
        var file = Path.Combine(entry, "inception_v1.onnx");
        var optimized = DLBricks.Onnx.Protos.ModelProto.Parser.ParseFrom(File.ReadAllBytes(file));
        var before = optimized.Graph.Node.Select(n => n.Output[0]).ToList();
        var reordered = LatestFirstTopologicalOrder(optimized.Graph.Node.ToList());
        optimized.Graph.Node.Clear();
        optimized.Graph.Node.AddRange(reordered);
        Assert.NotEqual(before, optimized.Graph.Node.Select(n => n.Output[0]));
        File.WriteAllBytes(file, Google.Protobuf.MessageExtensions.ToByteArray(optimized));

        var replayed = LayerGraphBuilder.Build(path, LayerSourceOptions.Default, null, cache, times: null);

        Assert.Equal((1, 1), (cache.Hits, cache.Misses));
        Assert.Equal(fresh.Layers.Select(l => l.Outputs[0]), replayed.Layers.Select(l => l.Outputs[0]));
        Assert.Equal(Hashes(fresh), Hashes(replayed));
        Assert.Equal(ModelSplitter.Split(fresh, 3).Pieces.Select(p => p.Brick.Hash), ModelSplitter.Split(replayed, 3).Pieces.Select(p => p.Brick.Hash));
    }

    // Another valid order of the same nodes: among ready nodes, the one written last goes first.
    private static List<DLBricks.Onnx.Protos.NodeProto> LatestFirstTopologicalOrder(List<DLBricks.Onnx.Protos.NodeProto> nodes)
    {
        var producer = new Dictionary<string, int>();
        for (var i = 0; i < nodes.Count; i++) foreach (var o in nodes[i].Output) producer[o] = i;
        var pending = new int[nodes.Count];
        var dependents = nodes.Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < nodes.Count; i++)
            foreach (var input in nodes[i].Input.Distinct())
                if (producer.TryGetValue(input, out var p)) { pending[i]++; dependents[p].Add(i); }
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < nodes.Count; i++) if (pending[i] == 0) ready.Enqueue(i, -i);
        var order = new List<DLBricks.Onnx.Protos.NodeProto>();
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(nodes[next]);
            foreach (var d in dependents[next]) if (--pending[d] == 0) ready.Enqueue(d, -d);
        }
        Assert.Equal(nodes.Count, order.Count);
        return order;
    }
}
