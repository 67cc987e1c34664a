using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Benchmarking;

/// <summary>
/// The empty model the harness's own cost is measured on: one Identity node over a one-element float tensor. Timing it the
/// way bricks are timed gives the fixed per-call cost (binding, native transition, executor) included in every brick's latency.
/// </summary>
internal static class CalibrationModel
{
    /// <summary>Serialized ONNX bytes of the Identity model (opset 13).</summary>
    public static byte[] Identity()
    {
        var model = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "dlbricks-calibration",
            Graph = new GraphProto { Name = "identity" },
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        model.Graph.Input.Add(FloatTensor("x", 1));
        model.Graph.Output.Add(FloatTensor("y", 1));
        var node = new NodeProto { OpType = "Identity", Name = "identity" };
        node.Input.Add("x");
        node.Output.Add("y");
        model.Graph.Node.Add(node);
        return model.ToByteArray();
    }

    private static ValueInfoProto FloatTensor(string name, params long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var dim in shape)
            tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
