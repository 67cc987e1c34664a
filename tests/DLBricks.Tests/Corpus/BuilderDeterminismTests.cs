using DLBricks.Corpus.Building;
using DLBricks.Corpus.Families;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests.Corpus;

public class BuilderDeterminismTests
{
    [Theory]
    [InlineData("resnet", "18")]
    [InlineData("bert", "tiny")]
    [InlineData("test", "loop")]
    public void SameSeedGivesIdenticalBytes(string family, string variant)
    {
        var f = ModelFamilies.Find(family)!;
        var first = f.Build(variant, settings: new BuildSettings(Seed: 7)).ToByteArray();
        var second = f.Build(variant, settings: new BuildSettings(Seed: 7)).ToByteArray();
        Assert.Equal(first, second);
    }

    [Fact]
    public void DifferentSeedChangesWeightsButNotGraph()
    {
        var a = ResNet.Build(new ResNetConfig(18), new BuildSettings(Seed: 1));
        var b = ResNet.Build(new ResNetConfig(18), new BuildSettings(Seed: 2));
        Assert.NotEqual(a.ToByteArray(), b.ToByteArray());

        var conv1A = a.Graph.Initializer.Single(t => t.Name == "conv1.weight");
        var conv1B = b.Graph.Initializer.Single(t => t.Name == "conv1.weight");
        Assert.Equal(conv1A.Dims, conv1B.Dims);
        Assert.NotEqual(conv1A.RawData, conv1B.RawData);

        Assert.Equal(WithoutWeights(a).ToByteArray(), WithoutWeights(b).ToByteArray());
    }

    [Fact]
    public void StructureOnlyMatchesFullBuildApartFromWeightData()
    {
        var full = Bert.Build(new BertConfig(2, 128, 2), new BuildSettings(Seed: 3));
        var structure = Bert.Build(new BertConfig(2, 128, 2), new BuildSettings(Seed: 3, StructureOnly: true));
        Assert.Equal(WithoutWeights(full).ToByteArray(), WithoutWeights(structure).ToByteArray());
        Assert.All(structure.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count > 0),
            t => Assert.True(t.RawData.IsEmpty));
    }

    [Fact]
    public void ModelHeaderIsFixed()
    {
        var m = TestModels.DynamicSpatial();
        Assert.Equal(8, m.IrVersion);
        Assert.Equal(17, m.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(OnnxGraphBuilder.ProducerName, m.ProducerName);
    }

    [Fact]
    public void WeightsAreLittleEndianFloatsWithinBound()
    {
        var b = new OnnxGraphBuilder("w", new BuildSettings(Seed: 11));
        var name = b.Weight("w", 0.25f, 1000);
        var raw = b.Graph.Initializer.Single(t => t.Name == name).RawData.ToByteArray();
        Assert.Equal(4000, raw.Length);
        var values = Enumerable.Range(0, 1000).Select(i => BitConverter.ToSingle(raw, i * 4)).ToArray();
        Assert.All(values, v => Assert.InRange(v, -0.25f, 0.25f));
        Assert.True(values.Distinct().Count() > 990, "weights should not repeat");
        Assert.InRange(values.Average(), -0.03, 0.03);
    }

    [Fact]
    public void NamesStayUniqueWhenReused()
    {
        var b = new OnnxGraphBuilder("n");
        var x = b.Input("x", TensorProto.Types.DataType.Float, 1, 4);
        var r1 = b.Op("Relu", x);
        var r2 = b.Op("Relu", r1);
        Assert.NotEqual(r1, r2);
        Assert.Equal(2, b.Graph.Node.Select(n => n.Name).Distinct().Count());
    }

    private static ModelProto WithoutWeights(ModelProto model)
    {
        var copy = model.Clone();
        foreach (var t in copy.Graph.Initializer)
            if (t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count > 0) t.RawData = ByteString.Empty;
        return copy;
    }
}
