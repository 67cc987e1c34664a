using System.Diagnostics;
using DLBricks.Corpus.Families;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests.Corpus;

public class TestModelTests
{
    [Fact]
    public void TinyTransformerKeepsDynamicDimsAndRunsAtTwoSequenceLengths()
    {
        var model = TestModels.TinyTransformer();
        var input = model.Graph.Input.Single();
        Assert.Equal(["batch", "seq", ""], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        var ops = model.Graph.Node.Select(n => n.OpType).ToHashSet();
        Assert.Superset(new HashSet<string> { "Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "Softmax" }, ops);

        var bytes = model.ToByteArray();
        Assert.Equal([3L * 5 * 64], OrtSmokeRunner.Run(bytes, new Dictionary<string, long> { ["batch"] = 3, ["seq"] = 5 }).ElementCounts);
        Assert.Equal([1L * 40 * 64], OrtSmokeRunner.Run(bytes, new Dictionary<string, long> { ["batch"] = 1, ["seq"] = 40 }).ElementCounts);
    }

    [Fact]
    public void DynamicSpatialNeedsHeightAndWidth()
    {
        var bytes = TestModels.DynamicSpatial().ToByteArray();
        var e = Assert.Throws<InvalidOperationException>(() => OrtSmokeRunner.Run(bytes));
        Assert.Contains("'height'", e.Message);
        var r = OrtSmokeRunner.Run(bytes, new Dictionary<string, long> { ["batch"] = 2, ["height"] = 17, ["width"] = 33 });
        Assert.Equal([20L], r.ElementCounts);
    }

    [Fact]
    public void IfBranchesReadOuterScopeTensors()
    {
        var model = TestModels.IfModel();
        var node = model.Graph.Node.Single(n => n.OpType == "If");
        var outer = model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        foreach (var branch in node.Attribute.Select(a => a.G))
            Assert.Contains(branch.Node.SelectMany(n => n.Input), outer.Contains);
        Assert.Equal(0, OrtSmokeRunner.Run(model.ToByteArray()).NonFinite);
    }

    [Fact]
    public void LoopBodyReadsOuterScopeWeights()
    {
        var model = TestModels.LoopModel();
        var body = model.Graph.Node.Single(n => n.OpType == "Loop").Attribute.Single(a => a.Name == "body").G;
        Assert.Equal(3, body.Input.Count);
        Assert.Equal(2, body.Output.Count);
        Assert.Contains(body.Node.SelectMany(n => n.Input), model.Graph.Initializer.Select(t => t.Name).Contains);
        Assert.Equal([16L], OrtSmokeRunner.Run(model.ToByteArray()).ElementCounts);
    }

    [Fact]
    public void PrivacyModelCarriesTheMarkerEverywhere()
    {
        var model = TestModels.Privacy();
        const string marker = TestModels.PrivacyMarker;
        Assert.All(model.Graph.Node, n => Assert.Contains(marker, n.Name));
        Assert.All(model.Graph.Initializer, t => Assert.StartsWith(marker, t.Name));
        Assert.Contains(marker, model.DocString);
        Assert.Contains(marker, model.Graph.DocString);
        Assert.Contains(model.MetadataProps, p => p.Value.Contains(marker));
        Assert.Contains(model.Graph.Node, n => n.DocString.Contains(marker));
        Assert.True(model.Graph.Initializer.Sum(t => t.RawData.Length) > 10_000, "weights should be real data");
        Assert.Equal(0, OrtSmokeRunner.Run(model.ToByteArray()).NonFinite);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    [InlineData(10_000)]
    public void ChainHasExactlyTheRequestedLayers(int layers)
    {
        var model = TestModels.Chain(layers);
        Assert.Equal(layers, model.Graph.Node.Count);
        Assert.Equal("y", model.Graph.Output.Single().Name);
    }

    [Fact]
    public void LongChainRunsWithBoundedValues()
    {
        var result = OrtSmokeRunner.Run(TestModels.Chain(3000).ToByteArray());
        Assert.Equal(0, result.NonFinite);
    }

    [Fact]
    public void HundredThousandLayerChainBuilds()
    {
        var sw = Stopwatch.StartNew();
        var model = TestModels.Chain(100_000);
        Assert.Equal(100_000, model.Graph.Node.Count);
        Assert.True(model.CalculateSize() < 50_000_000);
        Assert.True(sw.Elapsed < TimeSpan.FromMinutes(1), $"took {sw.Elapsed}");
    }
}
