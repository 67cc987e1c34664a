using DLBricks.Graph;

namespace DLBricks.Tests.Graph;

public class LayerGraphTests
{
    [Theory]
    [MemberData(nameof(TestPaths.LightModelNames), MemberType = typeof(TestPaths))]
    public void LightModelsFoldWeightsAndKeepOnlyComputeLayers(string name)
    {
        var graph = LayerGraphBuilder.Build(TestPaths.LightModel(name));
        Assert.NotEmpty(graph.Layers);
        // Weights come from ConstantOfShape/Unsqueeze/Reshape on constants: none of them may be a layer.
        Assert.DoesNotContain(graph.Layers, l => l.OpType is "ConstantOfShape" or "Constant");
        Assert.All(graph.Layers, l => Assert.Contains(l.AllInputs, i => !graph.Constants.Contains(i)));
        // Every layer reads something computed from the model input, and every layer tensor has a static shape.
        Assert.All(graph.Layers, l => Assert.All(l.Outputs.Where(o => o.Length > 0), o => Assert.True(graph.Tensors[o].IsStaticTensor)));
        // Topological: producers come first.
        foreach (var layer in graph.Layers)
            foreach (var input in layer.AllInputs)
                if (graph.Producer.TryGetValue(input, out var p)) Assert.True(p < layer.Index);
        Console.WriteLine($"{name}: {graph.Layers.Count} layers, ops {string.Join(',', graph.Layers.Select(l => l.OpType).Distinct())}");
    }
}
