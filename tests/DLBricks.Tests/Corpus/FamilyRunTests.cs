using DLBricks.Corpus.Building;
using DLBricks.Corpus.Families;
using Google.Protobuf;

namespace DLBricks.Tests.Corpus;

/// <summary>The smallest variant of every family builds, loads in ONNX Runtime and produces finite outputs.</summary>
public class FamilyRunTests
{
    public static TheoryData<string, string, string> SmallestVariants => new()
    {
        { "resnet", "18", "" },
        { "resnext", "50_32x4d", "resolution=64" },
        { "vgg", "11", "resolution=32" },
        { "vgg", "11_bn", "resolution=32" },
        { "mobilenet_v1", "0.25", "" },
        { "mobilenet_v2", "0.35", "batch=symbolic" },
        { "squeezenet", "1.0", "" },
        { "squeezenet", "1.1", "" },
        { "googlenet", "v1", "" },
        { "densenet", "121", "" },
        { "unet", "small", "resolution=64" },
        { "bert", "tiny", "" },
        { "gpt2", "tiny", "context=64" },
        { "vit", "tiny", "" },
        { "test", "tiny-transformer", "" },
        { "test", "dynamic-spatial", "" },
        { "test", "if", "" },
        { "test", "loop", "" },
        { "test", "privacy", "" },
        { "test", "chain", "layers=300" },
    };

    [Theory]
    [MemberData(nameof(SmallestVariants))]
    public void BuildsAndRunsInOnnxRuntime(string family, string variant, string options)
    {
        var config = options.Length == 0
            ? new Dictionary<string, string>()
            : options.Split(',').Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        var model = ModelFamilies.Find(family)!.Build(variant, new FamilyOptions(config));
        Assert.NotEmpty(model.Graph.Node);

        var dims = new Dictionary<string, long> { ["batch"] = 2, ["seq"] = 8, ["height"] = 40, ["width"] = 48 };
        var ranges = new Dictionary<string, (long, long)> { ["input_ids"] = (0, 30521), ["attention_mask"] = (0, 1) };
        var result = OrtSmokeRunner.Run(model.ToByteArray(), dims, ranges);

        Assert.Equal(model.Graph.Output.Select(o => o.Name), result.Outputs);
        Assert.All(result.ElementCounts, c => Assert.True(c > 0));
        Assert.Equal(0, result.NonFinite);
    }

    [Fact]
    public void UnknownVariantAndUnreadOptionAreReported()
    {
        var resnet = ModelFamilies.Find("resnet")!;
        var e1 = Assert.Throws<FormatException>(() => resnet.Build("19"));
        Assert.Contains("no variant '19'", e1.Message);
        var e2 = Assert.Throws<FormatException>(() => resnet.Build("18", new FamilyOptions(new Dictionary<string, string> { ["colour"] = "red" }),
            new BuildSettings(StructureOnly: true)));
        Assert.Contains("'colour'", e2.Message);
    }

    [Fact]
    public void EveryVariantBuildsItsStructure()
    {
        int variants = 0;
        foreach (var family in ModelFamilies.All)
            foreach (var variant in family.Variants)
            {
                var model = family.Build(variant, settings: new BuildSettings(StructureOnly: true));
                Assert.NotEmpty(model.Graph.Node);
                Assert.NotEmpty(model.Graph.Output);
                Assert.Equal(model.Graph.Node.Count, model.Graph.Node.Select(n => n.Name).Distinct().Count());
                variants++;
            }
        Assert.True(variants >= 50, $"only {variants} variants");
    }

    [Theory]
    [InlineData(18, 11_689_512L)]
    [InlineData(50, 25_557_032L)]
    public void ResNetParameterCountsMatchTorchvision(int depth, long expected)
    {
        // torchvision counts BatchNorm weight+bias (not running stats); we count all four BN tensors.
        var model = ResNet.Build(new ResNetConfig(depth), new BuildSettings(StructureOnly: true));
        long all = model.Graph.Initializer.Where(t => t.DataType == 1).Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));
        long runningStats = model.Graph.Initializer.Where(t => t.Name.EndsWith(".running_mean") || t.Name.EndsWith(".running_var"))
            .Sum(t => t.Dims.Aggregate(1L, (a, d) => a * d));
        Assert.Equal(expected, all - runningStats);
    }
}
