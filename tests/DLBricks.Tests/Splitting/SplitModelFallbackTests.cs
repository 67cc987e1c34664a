using DLBricks.Graph;
using DLBricks.Splitting;

namespace DLBricks.Tests.Splitting;

public class SplitModelFallbackTests
{
    // x -> Relu -> a ; y -> Sigmoid -> b ; Add(a, b). In topological order the first two layers share nothing,
    // so the chunk [Relu, Sigmoid] is not one network: Algorithm 2 emits Relu alone and the walk goes on.
    private static LayerGraph TwoBranches(TempFolder temp)
    {
        var m = new TinyModel().Input("x", 1, 8).Input("y", 1, 8);
        m.Node("Relu", ["x"], ["a"]);
        m.Node("Sigmoid", ["y"], ["b"]);
        m.Node("Add", ["a", "b"], ["c"]);
        m.Output("c");
        return LayerGraphBuilder.Build(m.Save(temp.Path, "branches"));
    }

    [Fact]
    public void ChunkThatCannotStandAloneFallsBackToItsFirstLayer()
    {
        using var temp = new TempFolder();
        var graph = TwoBranches(temp);
        Assert.False(BrickSpec.For(graph, 0, 2).IsRunnable);

        var split = ModelSplitter.Split(graph, 2);

        Assert.Equal([(0, 1), (1, 2)], split.Pieces.Select(p => (p.FirstLayer, p.LayerCount)));
    }

    [Fact]
    public void ChunkTheRuntimeRefusesFallsBackToItsFirstLayer()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 8);
        m.Node("Relu", ["x"], ["a"]);
        m.Node("Sigmoid", ["a"], ["b"]);
        m.Node("Tanh", ["b"], ["c"]);
        m.Output("c");
        var graph = LayerGraphBuilder.Build(m.Save(temp.Path, "chain"));
        var asked = new List<int>();

        // Refuse every multi-layer candidate that starts at layer 0, as ONNX Runtime would refuse a brick it cannot load.
        var split = ModelSplitter.Split(graph, 2, accept: b => { asked.Add(b.Spec.First); return b.Spec.First != 0; });

        Assert.Equal([(0, 1), (1, 2)], split.Pieces.Select(p => (p.FirstLayer, p.LayerCount)));
        Assert.Equal([0, 1], asked);
    }

    [Fact]
    public void BranchesReadingTheSameActivationFormOneBrick()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 8);
        m.Node("Relu", ["x"], ["a"]);
        m.Node("Sigmoid", ["x"], ["b"]);
        m.Node("Add", ["a", "b"], ["c"]);
        m.Output("c");
        var graph = LayerGraphBuilder.Build(m.Save(temp.Path, "fork"));

        var split = ModelSplitter.Split(graph, 2);

        Assert.Equal([(0, 2), (2, 1)], split.Pieces.Select(p => (p.FirstLayer, p.LayerCount)));
        var recipe = split.ToRecipe(LayerSourceInfo.Raw);
        Assert.Equal([new DLBricks.Splitting.OccurrenceEdge(0, 1)], recipe.Edges);
    }
}
