using DLBricks.Onnx.Protos;
using Google.Protobuf;
using AttrType = DLBricks.Onnx.Protos.AttributeProto.Types.AttributeType;

namespace DLBricks.Corpus.Building;

/// <summary>Factories for ONNX node attributes.</summary>
public static class Attr
{
    /// <summary>Integer attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttrType.Int, I = value };

    /// <summary>Float attribute.</summary>
    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttrType.Float, F = value };

    /// <summary>String attribute (UTF-8).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttrType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>Integer list attribute.</summary>
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttrType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>Float list attribute.</summary>
    public static AttributeProto Floats(string name, params float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttrType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    /// <summary>Tensor attribute (e.g. for Constant or ConstantOfShape).</summary>
    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttrType.Tensor, T = value };

    /// <summary>Subgraph attribute (If branches, Loop body).</summary>
    public static AttributeProto Graph(string name, GraphProto value) => new() { Name = name, Type = AttrType.Graph, G = value };
}
