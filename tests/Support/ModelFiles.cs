using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests;

/// <summary>Hand-built model files that unit tests and CLI process tests both feed to DLBricks.</summary>
internal static class ModelFiles
{
    /// <summary>A MatMul model whose 16x16 weight lives in <c>weights.bin</c> (written beside it) with the given entries.</summary>
    internal static string ExternalModel(string folder, string? offset, string? length, string location = "weights.bin", bool writeData = true)
    {
        var m = new TinyModel().Input("x", 1, 16);
        var weight = m.Weight("w", 16, 16);
        var tensor = m.Graph.Initializer[0];
        tensor.RawData = ByteString.Empty;
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (offset is not null) tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset });
        if (length is not null) tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length });
        m.Node("MatMul", ["x", "w"], ["y"]);
        m.Output("y");
        if (writeData) File.WriteAllBytes(Path.Combine(folder, "weights.bin"), weight);
        return m.Save(folder, "external");
    }

    /// <summary>An exporter-style attention reshape: heads split with Shape→Gather→Unsqueeze→Concat→Reshape on dynamic dims.</summary>
    internal static string TransformerBlock(TempFolder temp)
    {
        var m = new TinyModel(opset: 13).Input("hidden", "batch", "seq", 64);
        m.Weight("q_weight", 64, 64);
        m.Ints("idx0", 0).Ints("idx1", 1).Ints("heads", 4).Ints("head_dim", 16).Ints("axes0", 0);
        m.Graph.Initializer.Where(t => t.Name.StartsWith("idx")).ToList().ForEach(t => t.Dims.Clear()); // scalar indices
        m.Node("MatMul", ["hidden", "q_weight"], ["q"]);
        m.Node("Shape", ["hidden"], ["shape"]);
        m.Node("Gather", ["shape", "idx0"], ["b"], null, TinyModel.IntAttr("axis", 0));
        m.Node("Gather", ["shape", "idx1"], ["s"], null, TinyModel.IntAttr("axis", 0));
        m.Node("Unsqueeze", ["b", "axes0"], ["b1"]);
        m.Node("Unsqueeze", ["s", "axes0"], ["s1"]);
        m.Node("Concat", ["b1", "s1", "heads", "head_dim"], ["new_shape"], null, TinyModel.IntAttr("axis", 0));
        m.Node("Reshape", ["q", "new_shape"], ["q4"]);
        m.Node("Transpose", ["q4"], ["qt"], null, TinyModel.IntsAttr("perm", 0, 2, 1, 3));
        m.Node("Transpose", ["q4"], ["kt"], null, TinyModel.IntsAttr("perm", 0, 2, 3, 1));
        m.Node("MatMul", ["qt", "kt"], ["scores"]);
        m.Node("Softmax", ["scores"], ["probs"], null, TinyModel.IntAttr("axis", -1));
        m.Output("probs");
        return m.Save(temp.Path, "block");
    }

    /// <summary>
    /// y = Relu(If(n == 1, x, Reshape(x, [3, -1]))) with x: [batch, 4] (batch 1 by default). Only n = 1 runs: the other branch asks
    /// for an impossible reshape, which ONNX Runtime only finds at run time (the batch dim is symbolic). So any path that feeds n a
    /// different value than the probe did fails.
    /// </summary>
    internal static string GateModel(string folder, string name = "gate")
    {
        var m = new TinyModel(opset: 13).Input("x", "batch", 4);
        m.Input("n", TensorProto.Types.DataType.Int64, 1);
        m.Ints("one", 1);
        m.Node("Equal", ["n", "one"], ["cond"]);

        var then = new GraphProto { Name = "then" };
        then.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "t_out" } });
        then.Output.Add(new ValueInfoProto { Name = "t_out", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });

        var other = new GraphProto { Name = "else" };
        var shape = new TensorProto { Name = "bad_shape", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 2 }, Int64Data = { 3, -1 } };
        other.Node.Add(new NodeProto
        {
            OpType = "Constant", Output = { "bad_shape" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = shape } },
        });
        other.Node.Add(new NodeProto { OpType = "Reshape", Input = { "x", "bad_shape" }, Output = { "e_out" } });
        other.Output.Add(new ValueInfoProto { Name = "e_out", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });

        m.Node("If", ["cond"], ["chosen"], "gate", TinyModel.GraphAttr("then_branch", then), TinyModel.GraphAttr("else_branch", other));
        m.Node("Relu", ["chosen"], ["y"]);
        m.Output("y");
        return m.Save(folder, name);
    }
}
