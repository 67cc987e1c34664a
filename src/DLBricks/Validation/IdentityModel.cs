using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Validation;

/// <summary>The smallest runnable model — Identity on a one-element float tensor — used to measure what a call costs without compute.</summary>
internal static class IdentityModel
{
    public static byte[] Bytes { get; } = Build();

    private static byte[] Build()
    {
        static ValueInfoProto Scalar(string name)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
            return new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
            };
        }

        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(Scalar("x"));
        graph.Output.Add(Scalar("y"));
        var node = new NodeProto { OpType = "Identity", Name = "identity" };
        node.Input.Add("x");
        node.Output.Add("y");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 7, ProducerName = "dlbricks", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }
}
