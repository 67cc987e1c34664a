using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests.Onnx;

public class BadInputTests
{
    [Fact]
    public void TruncatedModelIsAClearError()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(TestPaths.LightModel("squeezenet"));
        var path = temp.File("cut.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidModelException>(() => OnnxModel.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Theory]
    [InlineData("this is a text file, not a model\n")]
    [InlineData("")]
    public void NonOnnxFileIsAClearError(string content)
    {
        using var temp = new TempFolder();
        var path = temp.File("notes.onnx");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidModelException>(() => OnnxModel.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownOperatorIsAClearErrorFromTheRuntime()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 4);
        m.Node("FrobnicateV9", ["x"], ["y"], "frob");
        m.Output("y");
        var path = m.Save(temp.Path, "unknown");
        var e = Assert.Throws<InvalidModelException>(() => LayerGraphBuilder.Build(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("FrobnicateV9", e.Message);
    }

    [Fact]
    public void ExternalDataIsReadNextToTheModelAndMissingDataIsNamed()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 16);
        var weight = m.Weight("w", 16, 16);
        var tensor = m.Graph.Initializer[0];
        tensor.RawData = ByteString.Empty;
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = weight.Length.ToString() });
        m.Node("MatMul", ["x", "w"], ["y"]);
        m.Output("y");
        var path = m.Save(temp.Path, "external");
        File.WriteAllBytes(temp.File("weights.bin"), weight);

        var graph = LayerGraphBuilder.Build(path);
        Assert.Equal([1L, 16], graph.Tensors["y"].Shape!);
        Assert.Single(graph.Layers);

        File.Delete(temp.File("weights.bin"));
        var e = Assert.Throws<InvalidModelException>(() => OnnxModel.Load(path));
        Assert.Contains("weights.bin", e.Message);
        Assert.Contains("missing", e.Message);
    }
}
