using DLBricks.Graph;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;

namespace DLBricks.Tests.Splitting;

public class StructuralInputsTests
{
    [Fact]
    public void TableFollowsTheOperatorSpecBySlot()
    {
        Assert.True(StructuralInputs.IsStructural("", "Reshape", 1));
        Assert.False(StructuralInputs.IsStructural("", "Reshape", 0));
        Assert.True(StructuralInputs.IsStructural("", "Pad", 1));
        Assert.False(StructuralInputs.IsStructural("", "Pad", 2)); // constant_value is a value, not structure
        Assert.True(StructuralInputs.IsStructural("ai.onnx", "Loop", 1));
        Assert.False(StructuralInputs.IsStructural("", "QLinearConv", 3));
        Assert.False(StructuralInputs.IsStructural("", "Conv", 2));
    }

    [Fact]
    public void ValueReadByAStructuralAndAComputeSlotIsKeptAndAComputeOnlyIntegerIsRegenerated()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 24).Input("n", TensorProto.Types.DataType.Int64, 2);
        m.Ints("shape", 4, 6);
        m.Ints("offsets", 7, 9);
        m.Node("Reshape", ["x", "shape"], ["y"]);
        m.Node("Add", ["n", "shape"], ["z"]);
        m.Node("Add", ["z", "offsets"], ["w"]);
        m.Output("y").Output("w", TensorProto.Types.DataType.Int64);
        var graph = LayerGraphBuilder.Build(m.Save(temp.Path, "both"));

        var structural = StructuralInputs.TensorsOf(graph);
        Assert.Contains("shape", structural);
        Assert.DoesNotContain("offsets", structural);

        var pieces = ModelSplitter.Split(graph, 1).Pieces;
        BoundaryRole RoleIn(int layer, string tensor) =>
            pieces.Single(p => p.Brick.Spec.First == layer).Brick.Spec.Boundary.Single(b => b.Tensor == tensor).Role;
        Assert.Equal(BoundaryRole.EmbeddedValue, RoleIn(0, "shape"));
        Assert.Equal(BoundaryRole.EmbeddedValue, RoleIn(1, "shape"));
        Assert.Equal(BoundaryRole.Weight, RoleIn(2, "offsets"));
    }
}
