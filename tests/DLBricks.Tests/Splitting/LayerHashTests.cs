using DLBricks.Graph;
using DLBricks.Splitting;

namespace DLBricks.Tests.Splitting;

/// <summary>
/// Single-layer hashes do not depend on G or on overlap: the splitter builds single-layer bricks along its walk (and drops
/// those inside multi-layer pieces), so every layer must still get its hash, and a fallback piece must be that same brick.
/// </summary>
public class LayerHashTests
{
    [Fact]
    public void LayerHashesAreTheSameAtEveryGranularityAndEqualTheSingleLayerBricks()
    {
        using var temp = new TempFolder();
        // [Relu, Sigmoid] are parallel branches (fallback), [Sigmoid, Add] is a piece, Tanh, Neg, Relu, Tanh follow.
        var m = new TinyModel().Input("x", 1, 8).Input("y", 1, 8);
        m.Node("Relu", ["x"], ["a"]);
        m.Node("Sigmoid", ["y"], ["b"]);
        m.Node("Add", ["a", "b"], ["c"]);
        m.Node("Tanh", ["c"], ["d"]);
        m.Node("Neg", ["d"], ["e"]);
        m.Node("Relu", ["e"], ["f"]);
        m.Node("Tanh", ["f"], ["g"]);
        m.Output("g");
        var graph = LayerGraphBuilder.Build(m.Save(temp.Path, "mixed"));

        var singles = Enumerable.Range(0, graph.Layers.Count).Select(i => CanonicalBrick.From(BrickSpec.For(graph, i, 1)).Hash).ToList();
        Assert.Equal(singles, ModelSplitter.Split(graph, 1).Pieces.Select(p => p.Brick.Hash));
        foreach (var g in new[] { 1, 2, 3, 5 })
        foreach (var overlap in new[] { false, true })
        {
            var split = ModelSplitter.Split(graph, g, overlap);
            Assert.Equal(singles, split.LayerHashes);
            Assert.All(split.Pieces.Where(p => p.LayerCount == 1), p => Assert.Equal(singles[p.FirstLayer], p.Brick.Hash));
            Assert.Equal(graph.Layers.Count, split.Pieces.Sum(p => p.LayerCount));
        }

        var atTwo = ModelSplitter.Split(graph, 2);
        Assert.Equal([(0, 1), (1, 2), (3, 2), (5, 2)], atTwo.Pieces.Select(p => (p.FirstLayer, p.LayerCount)));
    }
}
