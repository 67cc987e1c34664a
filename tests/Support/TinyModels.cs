using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests.Validation;

/// <summary>Hand-built opset-13 models for tests that need ONNX Runtime to run something real.</summary>
internal static class TinyModels
{
    /// <summary>X[batch,4] → MatMul(4×8) → Relu → MatMul(8×4) → Relu → Y. <paramref name="batch"/> null makes the batch dim symbolic.</summary>
    public static byte[] MatMulRelu(long? batch = null)
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Tensor("X", batch, 4));
        graph.Output.Add(Tensor("Y", batch, 4));
        graph.Initializer.Add(Weights("W1", 4, 8));
        graph.Initializer.Add(Weights("W2", 8, 4));
        graph.Node.Add(Node("MatMul", "mm1", ["X", "W1"], "h1"));
        graph.Node.Add(Node("Relu", "relu1", ["h1"], "a1"));
        graph.Node.Add(Node("MatMul", "mm2", ["a1", "W2"], "h2"));
        graph.Node.Add(Node("Relu", "relu2", ["h2"], "Y"));
        var model = new ModelProto { IrVersion = 7, ProducerName = "dlbricks-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    public static string WriteTemp(byte[] model, string name)
    {
        var folder = TempFolder.CreateUntilExit("dlbricks-tests-");
        var path = Path.Combine(folder, name + ".onnx");
        File.WriteAllBytes(path, model);
        return path;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto Tensor(string name, long? batch, long width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(batch is { } b ? new TensorShapeProto.Types.Dimension { DimValue = b } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorProto Weights(string name, long rows, long cols)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.Add(rows);
        tensor.Dims.Add(cols);
        for (var i = 0; i < rows * cols; i++) tensor.FloatData.Add((i % 7 - 3) * 0.1f);
        return tensor;
    }
}
