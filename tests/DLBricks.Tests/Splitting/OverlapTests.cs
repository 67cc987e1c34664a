using DLBricks.Graph;
using DLBricks.Splitting;

namespace DLBricks.Tests.Splitting;

public class OverlapTests
{
    [Fact]
    public void OverlapEmitsEveryWindowOfUpToGLayers()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 8);
        m.Node("Relu", ["x"], ["a"]);
        m.Node("Sigmoid", ["a"], ["b"]);
        m.Node("Tanh", ["b"], ["c"]);
        m.Node("Neg", ["c"], ["d"]);
        m.Output("d");
        var graph = LayerGraphBuilder.Build(m.Save(temp.Path, "chain4"));

        var split = ModelSplitter.Split(graph, 3, overlap: true);

        // 4 windows of 1, 3 of 2, 2 of 3.
        Assert.Equal(9, split.Windows.Count);
        Assert.Equal(3, split.Windows.Count(w => w.LayerCount == 2));
        Assert.All(split.Windows, w => Assert.Equal(w.LayerCount, w.Brick.Spec.Count));
        var recipe = split.ToRecipe(LayerSourceInfo.Raw);
        Assert.NotNull(recipe.Windows);
        Assert.Equal(9, recipe.Windows!.Count);
    }
}
