using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests;

/// <summary>Builds small ONNX models by hand for tests that need exact control over names, weights and attributes.</summary>
internal sealed class TinyModel
{
    private readonly ModelProto _model = new() { IrVersion = 8, Graph = new GraphProto { Name = "tiny" } };
    private readonly Random _random;

    public TinyModel(int opset = 13, int seed = 1)
    {
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        _random = new Random(seed);
    }

    public GraphProto Graph => _model.Graph;

    public TinyModel Input(string name, params object[] dims) => Input(name, TensorProto.Types.DataType.Float, dims);

    public TinyModel Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _model.Graph.Input.Add(ValueInfo(name, type, dims));
        return this;
    }

    public TinyModel Output(string name, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        _model.Graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } },
        });
        return this;
    }

    /// <summary>A float initializer with random values, returning the raw bytes so tests can look for them.</summary>
    public byte[] Weight(string name, params long[] dims)
    {
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var bytes = new byte[count * 4];
        for (var i = 0; i < count; i++)
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (float)(_random.NextDouble() * 2 - 1));
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        _model.Graph.Initializer.Add(t);
        return bytes;
    }

    public TinyModel Ints(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _model.Graph.Initializer.Add(t);
        return this;
    }

    public NodeProto Node(string op, string[] inputs, string[] outputs, string? name = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name ?? "" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _model.Graph.Node.Add(node);
        return node;
    }

    public static AttributeProto IntsAttr(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto IntAttr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto GraphAttr(string name, GraphProto graph) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    public ModelProto Build() => _model;

    public string Save(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".onnx");
        File.WriteAllBytes(path, _model.ToByteArray());
        return path;
    }

    public static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s
                ? new TensorShapeProto.Types.Dimension { DimParam = s }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
