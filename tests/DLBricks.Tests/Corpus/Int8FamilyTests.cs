using DLBricks.Corpus.Building;
using DLBricks.Corpus.Families;
using DLBricks.Graph;
using DLBricks.Onnx.Protos;
using DLBricks.Validation;
using Google.Protobuf;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Tests.Corpus;

/// <summary>
/// The int8 families in both encodings: deterministic, really quantized (int8 weights with seeded values, int32 biases,
/// per-channel and per-tensor scales, zero and non-zero zero points), runnable in ONNX Runtime, and splittable at G = 1..3
/// from the raw and the optimized layer source with every brick loading and running.
/// </summary>
public class Int8FamilyTests
{
    // Small resolutions and a narrow BERT keep the ORT runs and the audits within seconds on a loaded 2-core runner.
    public static TheoryData<string, string, string> SmallVariants => new()
    {
        { "resnet_int8", "18-qdq", "resolution=64" },
        { "resnet_int8", "18-qop", "resolution=64" },
        { "mobilenet_v2_int8", "0.35-qdq", "resolution=64" },
        { "mobilenet_v2_int8", "0.35-qop", "resolution=64" },
        { "mobilenet_v1_int8", "0.25-qop", "resolution=64" },
        { "bert_int8", "tiny-qdq", "" },
        { "bert_int8", "tiny-qop", "" },
    };

    [Theory]
    [MemberData(nameof(SmallVariants))]
    public void BuildsDeterministicallyAndRunsInOnnxRuntime(string family, string variant, string options)
    {
        var first = Build(family, variant, options, seed: 5);
        var second = Build(family, variant, options, seed: 5);
        Assert.Equal(first.ToByteArray(), second.ToByteArray());

        var dims = new Dictionary<string, long> { ["batch"] = 1, ["seq"] = 8 };
        var ranges = new Dictionary<string, (long, long)> { ["input_ids"] = (0, 30521), ["attention_mask"] = (0, 1) };
        var result = OrtSmokeRunner.Run(first.ToByteArray(), dims, ranges);
        Assert.Equal(first.Graph.Output.Select(o => o.Name), result.Outputs);
        Assert.All(result.ElementCounts, c => Assert.True(c > 0));
        Assert.Equal(0, result.NonFinite);
    }

    [Theory]
    [InlineData("resnet_int8", "18-qdq", "resolution=64")]
    [InlineData("mobilenet_v2_int8", "0.35-qop", "resolution=64")]
    [InlineData("bert_int8", "tiny-qop", "")]
    public void OtherSeedChangesOnlyQuantizedValues(string family, string variant, string options)
    {
        var a = Build(family, variant, options, seed: 1);
        var b = Build(family, variant, options, seed: 2);
        Assert.Equal(a.Graph.Node.Select(n => n.OpType + ":" + n.Name), b.Graph.Node.Select(n => n.OpType + ":" + n.Name));
        var weightsA = a.Graph.Initializer.Where(t => t.DataType == (int)DataType.Int8 && t.Dims.Count >= 2).ToList();
        var weightsB = b.Graph.Initializer.Where(t => t.DataType == (int)DataType.Int8 && t.Dims.Count >= 2).ToList();
        Assert.Equal(weightsA.Select(t => t.Name), weightsB.Select(t => t.Name));
        Assert.All(weightsA.Zip(weightsB), p => Assert.NotEqual(p.First.RawData, p.Second.RawData));
    }

    [Fact]
    public void QdqEncodingWrapsFloatOpsInQuantizeDequantizePairs()
    {
        var model = Build("resnet_int8", "18-qdq", "resolution=64", seed: 3);
        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.DoesNotContain("BatchNormalization", ops);
        Assert.DoesNotContain(ops, o => o.StartsWith("QLinear", StringComparison.Ordinal));
        Assert.Equal(20, ops.Count(o => o == "Conv"));
        var byOutput = model.Graph.Node.ToDictionary(n => n.Output[0]);
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var conv in model.Graph.Node.Where(n => n.OpType == "Conv"))
        {
            // Activation, weight and bias all come through DequantizeLinear, from uint8, int8 and int32 respectively.
            Assert.All(conv.Input, i => Assert.Equal("DequantizeLinear", byOutput[i].OpType));
            var weight = initializers[byOutput[conv.Input[1]].Input[0]];
            Assert.Equal((int)DataType.Int8, weight.DataType);
            Assert.Equal(weight.Dims[0], initializers[byOutput[conv.Input[1]].Input[1]].Dims.Single());
            Assert.Equal((int)DataType.Int32, initializers[byOutput[conv.Input[2]].Input[0]].DataType);
        }
        var gemmWeightScale = initializers[byOutput[model.Graph.Node.Single(n => n.OpType == "Gemm").Input[1]].Input[1]];
        Assert.Empty(gemmWeightScale.Dims);
        AssertZeroPointsMixed(model);
        AssertInt8WeightsSpread(model);
    }

    [Fact]
    public void OperatorEncodingUsesQuantizedOperators()
    {
        var cnn = Build("mobilenet_v2_int8", "0.35-qop", "resolution=64", seed: 3);
        var ops = cnn.Graph.Node.Select(n => n.OpType).ToList();
        Assert.DoesNotContain("Conv", ops);
        Assert.DoesNotContain("Clip", ops);
        Assert.Equal(52, ops.Count(o => o == "QLinearConv"));
        Assert.Single(ops, o => o == "QLinearMatMul");
        var initializers = cnn.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var conv in cnn.Graph.Node.Where(n => n.OpType == "QLinearConv"))
        {
            Assert.Equal((int)DataType.Int8, initializers[conv.Input[3]].DataType);
            Assert.Equal((int)DataType.Int32, initializers[conv.Input[8]].DataType);
        }
        AssertZeroPointsMixed(cnn);
        AssertInt8WeightsSpread(cnn);

        var bert = Build("bert_int8", "tiny-qop", "", seed: 3);
        var bertOps = bert.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(12, bertOps.Count(o => o == "MatMulInteger"));
        Assert.DoesNotContain(bert.Graph.Node, n => n.OpType == "MatMul" && bert.Graph.Initializer.Any(t => t.Name == n.Input[1]));
        Assert.Equal(8, bertOps.Count(o => o == "DynamicQuantizeLinear"));
    }

    public static TheoryData<string, string, string, bool> AuditCases => new()
    {
        { "resnet_int8", "18-qdq", "resolution=64", false },
        { "resnet_int8", "18-qdq", "resolution=64", true },
        { "resnet_int8", "18-qop", "resolution=64", false },
        { "resnet_int8", "18-qop", "resolution=64", true },
        { "mobilenet_v2_int8", "0.35-qdq", "resolution=64", true },
        { "mobilenet_v2_int8", "0.35-qop", "resolution=64", false },
        { "bert_int8", "tiny-qdq", "", false },
        { "bert_int8", "tiny-qdq", "", true },
        { "bert_int8", "tiny-qop", "", true },
    };

    [Theory]
    [MemberData(nameof(AuditCases))]
    public void EveryBrickLoadsAndRunsAtG1To3(string family, string variant, string options, bool optimized)
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, family + variant + ".onnx");
        File.WriteAllBytes(path, Build(family, variant, options, seed: 42).ToByteArray());
        var bindings = new ModelInputBindings();
        bindings.Dims["batch"] = 1;
        bindings.Dims["seq"] = 16;
        bindings.Values["input_ids"] = [101, 2054, 7592, 3, 30521, 17, 999, 4, 5, 6, 7, 8, 9, 10, 11, 102];
        bindings.Values["attention_mask"] = [1];
        var source = optimized ? LayerSourceOptions.Default : LayerSourceOptions.Raw;

        var report = SplitAudit.Run([new SplitAuditModel(variant, path, bindings)], new SplitAuditOptions { Granularities = [1, 2, 3], Source = source });

        Assert.True(report.AllPassed, string.Join("\n", report.Failures.Select(f => f.Message)));
        Assert.Equal([1, 2, 3], report.Rows.Select(r => r.G));
        var g1 = report.Rows[0];
        Assert.Equal(g1.Layers, g1.Bricks);
        Assert.Equal(0, report.Rows.Sum(r => r.FailedBricks));
    }

    private static ModelProto Build(string family, string variant, string options, int seed)
    {
        var config = options.Length == 0
            ? new Dictionary<string, string>()
            : options.Split(',').Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        return ModelFamilies.Find(family)!.Build(variant, new FamilyOptions(config), new BuildSettings(Seed: seed));
    }

    private static void AssertZeroPointsMixed(ModelProto model)
    {
        var activationZeroPoints = model.Graph.Initializer.Where(t => t.DataType == (int)DataType.Uint8).Select(t => t.RawData[0]).ToList();
        Assert.Contains(activationZeroPoints, z => z == 0);
        Assert.Contains(activationZeroPoints, z => z != 0);
    }

    private static void AssertInt8WeightsSpread(ModelProto model)
    {
        foreach (var weight in model.Graph.Initializer.Where(t => t.DataType == (int)DataType.Int8 && t.Dims.Count >= 2))
        {
            var values = weight.RawData.Select(b => (sbyte)b).ToArray();
            Assert.Equal(weight.Dims.Aggregate(1L, (a, d) => a * d), values.Length);
            // Symmetric per-channel/per-tensor quantization of uniform weights uses the whole range, never a constant.
            Assert.True(values.Distinct().Count() > Math.Min(50, values.Length / 4), $"{weight.Name}: {values.Distinct().Count()} distinct values");
            Assert.Equal(127, values.Max(v => Math.Abs((int)v)));
        }
    }
}
