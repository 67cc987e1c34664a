using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Splitting;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Tests.Export;

public class PrivacyIndexTests
{
    // Two models with the same names and different trained values, split together, and one brick made leaky with the second
    // model's bias and a node name both models use.
    private static (string Output, string First, string Second, string File) LeakySplitOfTwo(TempFolder temp)
    {
        var first = new PrivacyFixture(seed: 1).Save(Directory.CreateDirectory(temp.File("a")).FullName, "first");
        var secondFixture = new PrivacyFixture(seed: 2);
        var second = secondFixture.Save(Directory.CreateDirectory(temp.File("b")).FullName, "second");
        var output = temp.File("out");
        SplitRunner.Run([first, second], new SplitOptions { Source = LayerSourceOptions.Raw, PrivacyAudit = false }, output);
        var file = BrickCatalog.Load(output).Bricks[0].File;
        var victim = Path.Combine(output, file);
        var leaky = ModelProto.Parser.ParseFrom(File.ReadAllBytes(victim));
        var bias = secondFixture.Model.Graph.Initializer.Single(i => i.Name == "AcmeSecret_conv1_b").Clone();
        bias.Name = $"w{leaky.Graph.Initializer.Count + 10}";
        leaky.Graph.Initializer.Add(bias);
        leaky.Graph.Node[0].Name = "AcmeSecret_conv1";
        File.WriteAllBytes(victim, leaky.ToByteArray());
        return (output, first, second, file);
    }

    [Fact]
    public void ModelsIndexedInAnyOrderGiveTheReportOfTheListOrder()
    {
        using var temp = new TempFolder();
        var (output, first, second, file) = LeakySplitOfTwo(temp);
        var listed = PrivacyAudit.Run(output, [first, second]);

        var index = new PrivacyAudit.PrivacyIndex(2);
        index.Add(1, OnnxModel.Load(second));
        index.Add(0, OnnxModel.Load(first));
        var reversed = new PrivacyAudit.PrivacyAuditor(index).Audit(output);

        Assert.Equal(listed.Findings, reversed.Findings);
        Assert.Equal(listed.WindowStride, reversed.WindowStride);
        // The shared name is reported as the first listed model's; the bias only the second model holds, as the second's.
        Assert.Contains(reversed.Findings, f => f.File == file && f.Kind == PrivacyFindingKind.Name && f.Model == "first" && f.What.Contains("'AcmeSecret_conv1'"));
        Assert.Contains(reversed.Findings, f => f.File == file && f.Kind == PrivacyFindingKind.Value && f.Model == "second" && f.What.Contains("'AcmeSecret_conv1_b'"));
    }

    [Fact]
    public void ASkippedModelIsNotLookedFor()
    {
        using var temp = new TempFolder();
        var (output, _, second, file) = LeakySplitOfTwo(temp);

        var index = new PrivacyAudit.PrivacyIndex(2);
        index.Skip(0);
        index.Add(1, OnnxModel.Load(second));
        var report = new PrivacyAudit.PrivacyAuditor(index).Audit(output);

        Assert.NotEmpty(report.Findings);
        Assert.All(report.Findings, f => Assert.Equal("second", f.Model));
        Assert.Contains(report.Findings, f => f.File == file && f.Kind == PrivacyFindingKind.Name && f.What.Contains("'AcmeSecret_conv1'"));
        Assert.Throws<InvalidOperationException>(() => index.Skip(1));
    }
}
