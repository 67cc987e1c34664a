using DLBricks.Graph;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using DLBricks.Tests.Splitting;

namespace DLBricks.Tests.Graph;

public class DynamicModelTests
{
    [Fact]
    public void NonBatchDynamicDimWithoutValueIsAnErrorNamingInputAndDim()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("image", "batch", 3, "height", "width");
        m.Node("Relu", ["image"], ["y"]);
        m.Output("y");
        var path = m.Save(temp.Path, "dyn");

        var error = Assert.Throws<InvalidModelException>(() => LayerGraphBuilder.Build(path));
        Assert.Contains("'image'", error.Message);
        Assert.Contains("height", error.Message);
        Assert.Contains("--dim", error.Message);
        Assert.Contains(path, error.Message);

        var bindings = ModelInputBindings.Parse("dyn", [], ["height=32", "width=48"], []);
        var graph = LayerGraphBuilder.Build(path, bindings: bindings);
        Assert.Equal([1L, 3, 32, 48], graph.Tensors["y"].Shape!);

        var byShape = LayerGraphBuilder.Build(path, bindings: ModelInputBindings.Parse("dyn", ["dyn:image=2,3,8,8"], [], []));
        Assert.Equal([2L, 3, 8, 8], byShape.Tensors["y"].Shape!);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TransformerBlockWithShapeSubgraphSplitsIntoRunnableBricks(int g)
    {
        using var temp = new TempFolder();
        var path = ModelFiles.TransformerBlock(temp);
        var bindings = ModelInputBindings.Parse("block", [], ["seq=10"], []);
        var graph = LayerGraphBuilder.Build(path, bindings: bindings);

        // Shape arithmetic on a dynamic input is computed at run time: it stays as layers, with captured values.
        Assert.Contains(graph.Layers, l => l.OpType == "Shape");
        Assert.Equal([1L, 10, 4, 16], graph.Tensors["new_shape"].IntegerValues!);

        var output = temp.File("out");
        var result = SplitRunner.Run([path], new SplitOptions { Granularity = g, Bindings = _ => bindings }, output);
        var catalog = DLBricks.Splitting.BrickCatalog.Load(output);
        foreach (var brick in catalog.Bricks)
            LightModelSplitTests.RunOnce(Path.Combine(output, brick.File), brick);

        // The Reshape brick gets the shape it had inside the model as an embedded constant, not as an input to synthesize.
        var reshape = catalog.Bricks.First(b => b.OpTypes.Any(op => op.EndsWith("Reshape", StringComparison.Ordinal)));
        Assert.DoesNotContain(reshape.Inputs, i => i.ElementType == "int64");
        Assert.Equal(catalog.Bricks.Count, result.UniqueBricks);
    }

    [Fact]
    public void ControlFlowOpIsOneOpaqueLayerThatReadsOuterScope()
    {
        using var temp = new TempFolder();
        var m = new TinyModel(opset: 13).Input("x", 1, 8).Input("flag", TensorProto.Types.DataType.Bool);
        m.Node("Relu", ["x"], ["a"]);
        GraphProto Branch(string op, string name)
        {
            var g = new GraphProto { Name = name };
            g.Node.Add(new NodeProto { OpType = op, Input = { "a" }, Output = { name + "_out" } });
            g.Output.Add(TinyModel.ValueInfo(name + "_out", TensorProto.Types.DataType.Float, 1, 8));
            return g;
        }
        m.Node("If", ["flag"], ["chosen"], "branch", TinyModel.GraphAttr("then_branch", Branch("Sigmoid", "then")),
            TinyModel.GraphAttr("else_branch", Branch("Tanh", "else")));
        m.Node("Neg", ["chosen"], ["y"]);
        m.Output("y");
        var path = m.Save(temp.Path, "iff");

        var graph = LayerGraphBuilder.Build(path, bindings: ModelInputBindings.Parse("iff", [], [], ["flag=1"]));
        Assert.Equal(["Relu", "If", "Neg"], graph.Layers.Select(l => l.OpType));
        Assert.Equal(["a"], graph.Layers[1].ImplicitInputs);
        Assert.Contains(graph.Dag.Edges, e => e.Source == 0 && e.Target == 1);

        var output = temp.File("out");
        SplitRunner.Run([path], new SplitOptions { Granularity = 2, Bindings = _ => ModelInputBindings.Parse("iff", [], [], ["flag=1"]) }, output);
        foreach (var brick in DLBricks.Splitting.BrickCatalog.Load(output).Bricks)
            LightModelSplitTests.RunOnce(Path.Combine(output, brick.File), brick);
    }
}
