using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests.Export;

/// <summary>
/// A small model holding every kind of value brick privacy must handle, with distinctive names (all starting with
/// <see cref="Marker"/>): a 3-element PReLU slope, an 8-element float bias, a QDQ block around a Conv (uint8 activations
/// with a non-zero zero point, int8 weights with a zero one), a QLinearConv (int8 weights, per-channel scales, zero weight
/// zero points, int32 bias) and an If whose branches hold a small trained Constant and a subgraph initializer.
/// The seed changes every trained value and keeps every preserved property (zero/non-zero, sign, magnitude bucket).
/// </summary>
internal sealed class PrivacyFixture
{
    public const string Marker = "AcmeSecret";

    private readonly Random _random;
    private readonly ModelProto _model = new() { IrVersion = 8, Graph = new GraphProto { Name = Marker + "_graph", DocString = Marker + " graph doc" } };

    /// <summary>Every non-structural value of the model as stored (raw little-endian bytes), by initializer or constant name.</summary>
    public Dictionary<string, byte[]> TrainedValues { get; } = [];

    public PrivacyFixture(int seed)
    {
        _random = new Random(seed);
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        _model.DocString = Marker + " model doc";
        _model.ProducerName = Marker + " exporter";
        _model.MetadataProps.Add(new StringStringEntryProto { Key = Marker + "_owner", Value = Marker + " confidential" });
        var g = _model.Graph;
        g.Input.Add(TinyModel.ValueInfo($"{Marker}_image", TensorProto.Types.DataType.Float, 1, 3, 8, 8));

        Floats("prelu_slope", [3, 1, 1], () => 0.1 + 0.2 * _random.NextDouble());
        Floats("conv1_w", [8, 3, 3, 3], () => _random.NextDouble() - 0.5);
        Floats("conv1_b", [8], Alternating(0.05, 0.5));
        Floats("act_scale", [], () => 0.01 + 0.04 * _random.NextDouble());
        Ints("act_zp", TensorProto.Types.DataType.Uint8, [], () => _random.Next(100, 156));
        Ints("w2_q", TensorProto.Types.DataType.Int8, [8, 8, 3, 3], () => _random.Next(-127, 128));
        Floats("w2_scale", [], () => 0.002 + 0.01 * _random.NextDouble());
        Ints("w2_zp", TensorProto.Types.DataType.Int8, [], () => 0);
        Floats("conv2_b", [8], Alternating(0.05, 0.5));
        Floats("y_scale", [], () => 0.01 + 0.04 * _random.NextDouble());
        Ints("y_zp", TensorProto.Types.DataType.Uint8, [], () => _random.Next(100, 156));
        Ints("w3", TensorProto.Types.DataType.Int8, [4, 8, 3, 3], () => _random.Next(-127, 128));
        Floats("w3_scale", [4], () => 0.002 + 0.01 * _random.NextDouble());
        Ints("w3_zp", TensorProto.Types.DataType.Int8, [4], () => 0);
        Floats("out_scale", [], () => 0.01 + 0.04 * _random.NextDouble());
        Ints("out_zp", TensorProto.Types.DataType.Uint8, [], () => _random.Next(100, 156));
        Ints("b3", TensorProto.Types.DataType.Int32, [4], () => _random.Next(-5000, 5000));
        var flag = new TensorProto { Name = $"{Marker}_flag", DataType = (int)TensorProto.Types.DataType.Bool };
        flag.Int32Data.Add(1);
        g.Initializer.Add(flag);

        var pads = TinyModel.IntsAttr("pads", 1, 1, 1, 1);
        Node("PRelu", ["image", "prelu_slope"], ["a1"], "prelu");
        Node("Conv", ["a1", "conv1_w", "conv1_b"], ["a2"], "conv1", pads);
        Node("QuantizeLinear", ["a2", "act_scale", "act_zp"], ["a2q"], "quant_a2");
        Node("DequantizeLinear", ["a2q", "act_scale", "act_zp"], ["a2dq"], "dequant_a2");
        Node("DequantizeLinear", ["w2_q", "w2_scale", "w2_zp"], ["w2"], "dequant_w2");
        Node("Conv", ["a2dq", "w2", "conv2_b"], ["a3"], "conv2", pads.Clone());
        Node("QuantizeLinear", ["a3", "y_scale", "y_zp"], ["a3q"], "quant_a3");
        Node("QLinearConv", ["a3q", "y_scale", "y_zp", "w3", "w3_scale", "w3_zp", "out_scale", "out_zp", "b3"], ["a4q"], "qconv3", pads.Clone());
        Node("DequantizeLinear", ["a4q", "out_scale", "out_zp"], ["a4"], "dequant_a4");

        var thenBranch = new GraphProto { Name = $"{Marker}_then" };
        var thenConst = FloatTensor($"{Marker}_then_const", [4, 1, 1], Alternating(0.1, 0.9));
        TrainedValues[thenConst.Name] = thenConst.RawData.ToByteArray();
        thenBranch.Node.Add(new NodeProto
        {
            OpType = "Constant", Name = $"{Marker}_then_const_node", Output = { $"{Marker}_then_const" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = thenConst } },
        });
        thenBranch.Node.Add(new NodeProto { OpType = "Add", Name = $"{Marker}_then_add", Input = { $"{Marker}_a4", $"{Marker}_then_const" }, Output = { $"{Marker}_then_out" } });
        thenBranch.Output.Add(TinyModel.ValueInfo($"{Marker}_then_out", TensorProto.Types.DataType.Float, 1, 4, 8, 8));

        var elseBranch = new GraphProto { Name = $"{Marker}_else" };
        var elseScale = FloatTensor($"{Marker}_else_scale", [4, 1, 1], () => 0.2 + 0.7 * _random.NextDouble());
        TrainedValues[elseScale.Name] = elseScale.RawData.ToByteArray();
        elseBranch.Initializer.Add(elseScale);
        elseBranch.Node.Add(new NodeProto { OpType = "Mul", Name = $"{Marker}_else_mul", Input = { $"{Marker}_a4", $"{Marker}_else_scale" }, Output = { $"{Marker}_else_out" } });
        elseBranch.Output.Add(TinyModel.ValueInfo($"{Marker}_else_out", TensorProto.Types.DataType.Float, 1, 4, 8, 8));

        Node("If", ["flag"], ["logits"], "branch", TinyModel.GraphAttr("then_branch", thenBranch), TinyModel.GraphAttr("else_branch", elseBranch));
        g.Output.Add(TinyModel.ValueInfo($"{Marker}_logits", TensorProto.Types.DataType.Float, 1, 4, 8, 8));
    }

    public ModelProto Model => _model;

    /// <summary>Writes the model as <c>&lt;name&gt;.onnx</c> into <paramref name="folder"/>.</summary>
    public string Save(string folder, string name = Marker + "_model")
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".onnx");
        File.WriteAllBytes(path, _model.ToByteArray());
        return path;
    }

    // Mixed signs guaranteed (so the profile is the same for every seed), magnitudes random within [low, high).
    private Func<double> Alternating(double low, double high)
    {
        var i = 0;
        return () => (i++ % 2 == 0 ? 1 : -1) * (low + (high - low) * _random.NextDouble());
    }

    private void Node(string op, string[] inputs, string[] outputs, string name, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = $"{Marker}_{name}", DocString = $"{Marker} {name} doc" };
        node.Input.AddRange(inputs.Select(i => $"{Marker}_{i}"));
        node.Output.AddRange(outputs.Select(o => $"{Marker}_{o}"));
        node.Attribute.AddRange(attributes);
        _model.Graph.Node.Add(node);
    }

    private void Floats(string name, long[] dims, Func<double> next)
    {
        var t = FloatTensor($"{Marker}_{name}", dims, next);
        _model.Graph.Initializer.Add(t);
        TrainedValues[t.Name] = t.RawData.ToByteArray();
    }

    private static TensorProto FloatTensor(string name, long[] dims, Func<double> next)
    {
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var bytes = new byte[count * 4];
        for (var i = 0; i < count; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), (float)next());
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        return t;
    }

    private void Ints(string name, TensorProto.Types.DataType type, long[] dims, Func<int> next)
    {
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var size = type == TensorProto.Types.DataType.Int32 ? 4 : 1;
        var bytes = new byte[count * size];
        for (var i = 0; i < count; i++)
        {
            var v = next();
            if (size == 4) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), v);
            else bytes[i] = unchecked((byte)v);
        }
        var t = new TensorProto { Name = $"{Marker}_{name}", DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        _model.Graph.Initializer.Add(t);
        TrainedValues[t.Name] = bytes;
    }
}
