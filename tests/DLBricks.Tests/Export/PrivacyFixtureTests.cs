using System.Text;
using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Splitting;
using DLBricks.Onnx.Protos;
using DLBricks.Tests.Splitting;
using Google.Protobuf;

namespace DLBricks.Tests.Export;

public class PrivacyFixtureTests
{
    public static IEnumerable<object[]> Cases() =>
        from raw in new[] { true, false } from g in new[] { 1, 3 } select new object[] { raw, g };

    private static SplitOptions Options(bool raw, int g) =>
        new() { Granularity = g, Source = raw ? LayerSourceOptions.Raw : LayerSourceOptions.Default };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NoOriginalNameOrValueInAnyPublicByteAndEveryBrickRuns(bool raw, int g)
    {
        using var temp = new TempFolder();
        var fixture = new PrivacyFixture(seed: 1);
        var model = fixture.Save(temp.Path);
        var output = temp.File("out");

        SplitRunner.Run([model], Options(raw, g), output);

        var publicFiles = PrivacyAudit.PublicFiles(output);
        Assert.Contains(BrickCatalog.FileName, publicFiles);
        Assert.DoesNotContain(publicFiles, f => f.StartsWith("recipes/", StringComparison.Ordinal));
        // Checked here independently of the audit: every byte of every public file against the marker and every value.
        foreach (var file in publicFiles)
        {
            var bytes = File.ReadAllBytes(Path.Combine(output, file));
            Assert.DoesNotContain(PrivacyFixture.Marker, Encoding.Latin1.GetString(bytes));
            foreach (var (name, value) in fixture.TrainedValues.Where(v => v.Value.Length >= 8))
                Assert.True(bytes.AsSpan().IndexOf(value) < 0, $"{file} holds the bytes of {name}");
        }
        Assert.True(PrivacyAudit.Run(output, [model]).IsClean);

        var catalog = BrickCatalog.Load(output);
        Assert.Contains(catalog.Bricks, b => b.OpTypes.Any(op => op.Contains("QLinearConv", StringComparison.Ordinal)));
        if (raw) Assert.Contains(catalog.Bricks, b => b.OpTypes.Contains("If"));
        foreach (var brick in catalog.Bricks)
            LightModelSplitTests.RunOnce(Path.Combine(output, brick.File), brick);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FixturesDifferingOnlyInTrainedValuesShareEveryBrick(bool raw, int g)
    {
        using var temp = new TempFolder();
        var first = new PrivacyFixture(seed: 1);
        var second = new PrivacyFixture(seed: 2);
        Assert.NotEqual(first.TrainedValues["AcmeSecret_w3"], second.TrainedValues["AcmeSecret_w3"]);
        Assert.NotEqual(first.TrainedValues["AcmeSecret_y_scale"], second.TrainedValues["AcmeSecret_y_scale"]);

        var a = SplitRunner.Run([first.Save(temp.File("a"))], Options(raw, g), temp.File("out-a"));
        var b = SplitRunner.Run([second.Save(temp.File("b"))], Options(raw, g), temp.File("out-b"));

        Assert.Equal(a.Catalog.Bricks.Select(x => x.Hash), b.Catalog.Bricks.Select(x => x.Hash));
        Assert.Equal(a.Models[0].Recipe.Occurrences.Select(o => o.Hash), b.Models[0].Recipe.Occurrences.Select(o => o.Hash));
    }

    [Fact]
    public void ZeroPointsThatAreZeroStayZeroAndScalesStayPositive()
    {
        using var temp = new TempFolder();
        var path = new PrivacyFixture(seed: 3).Save(temp.Path);
        var graph = LayerGraphBuilder.Build(path, LayerSourceOptions.Raw, ModelInputBindings.None);
        var qconv = graph.Layers.Single(l => l.OpType == "QLinearConv");
        var split = DLBricks.Splitting.ModelSplitter.Split(graph, 1);
        var brick = split.Pieces.Single(p => p.Brick.Spec.First == qconv.Index).Brick;
        var model = BrickMaterializer.Materialize(brick);
        var node = model.Graph.Node.Single();
        TensorProto Init(int slot) => model.Graph.Initializer.Single(i => i.Name == node.Input[slot]);

        Assert.All(Init(5).RawData.ToByteArray(), b => Assert.Equal(0, b)); // weight zero points: all zero before, all zero now
        Assert.All(new[] { 2, 7 }, slot => Assert.NotEqual(0, Init(slot).RawData[0])); // activation zero points stay non-zero
        foreach (var slot in new[] { 1, 4, 6 })
        {
            var scales = DLBricks.Onnx.TensorValues.ReadFloats(Init(slot));
            Assert.All(scales, s => Assert.InRange(s, 1e-3f, 1f)); // positive, same three decades as the originals (1e-3..1e-1)
        }
    }

    [Fact]
    public void AuditFindsNamesAndValuesPlantedInALeakyCopy()
    {
        using var temp = new TempFolder();
        var fixture = new PrivacyFixture(seed: 1);
        var model = fixture.Save(temp.Path);
        var output = temp.File("out");
        SplitRunner.Run([model], Options(raw: true, g: 1), output);

        // What a split that copied values verbatim would publish: the 8-element bias, the int8 weight and a node name.
        var catalog = BrickCatalog.Load(output);
        var victim = Path.Combine(output, catalog.Bricks[0].File);
        var leaky = ModelProto.Parser.ParseFrom(File.ReadAllBytes(victim));
        foreach (var name in new[] { "AcmeSecret_conv1_b", "AcmeSecret_w3", "AcmeSecret_b3" })
        {
            var original = fixture.Model.Graph.Initializer.Single(i => i.Name == name).Clone();
            original.Name = $"w{leaky.Graph.Initializer.Count + 10}";
            leaky.Graph.Initializer.Add(original);
        }
        leaky.Graph.Node[0].Name = "AcmeSecret_conv1";
        File.WriteAllBytes(victim, leaky.ToByteArray());

        var report = PrivacyAudit.Run(output, [model]);

        Assert.False(report.IsClean);
        var file = catalog.Bricks[0].File;
        Assert.Contains(report.Findings, f => f.File == file && f.Kind == PrivacyFindingKind.Value && f.What.Contains("'AcmeSecret_conv1_b'") && f.What.Contains("whole tensor"));
        Assert.Contains(report.Findings, f => f.File == file && f.Kind == PrivacyFindingKind.Value && f.What.Contains("'AcmeSecret_w3'") && f.What.Contains("64-byte window"));
        Assert.Contains(report.Findings, f => f.File == file && f.Kind == PrivacyFindingKind.Value && f.What.Contains("'AcmeSecret_b3'"));
        Assert.Contains(report.Findings, f => f.File == file && f.Kind == PrivacyFindingKind.Name && f.What.Contains("'AcmeSecret_conv1'"));
        Assert.All(report.Findings, f => Assert.Equal(file, f.File));
    }

    [Fact]
    public void AWindowBudgetWidensTheStrideButStillFindsEveryWholeTensorCopied()
    {
        using var temp = new TempFolder();
        var fixture = new PrivacyFixture(seed: 1);
        var model = fixture.Save(temp.Path);
        var output = temp.File("out");
        SplitRunner.Run([model], Options(raw: true, g: 1), output);
        var catalog = BrickCatalog.Load(output);
        var victim = Path.Combine(output, catalog.Bricks[0].File);
        var leaky = ModelProto.Parser.ParseFrom(File.ReadAllBytes(victim));
        var copied = fixture.Model.Graph.Initializer.Where(i => i.RawData.Length > 64).Select(i => i.Name).ToList();
        Assert.NotEmpty(copied);
        foreach (var name in copied)
        {
            var original = fixture.Model.Graph.Initializer.Single(i => i.Name == name).Clone();
            original.Name = $"w{leaky.Graph.Initializer.Count + 10}";
            leaky.Graph.Initializer.Add(original);
        }
        File.WriteAllBytes(victim, leaky.ToByteArray());

        var dense = PrivacyAudit.Run(output, [model]);
        // Four windows for the whole model: memory bounded, stride far beyond the window length.
        var budget = PrivacyAudit.Run(output, [model], new PrivacyAuditOptions { MaxWindows = 4 });

        Assert.Equal(1, dense.WindowStride);
        Assert.True(budget.WindowStride > 64, $"stride {budget.WindowStride}");
        foreach (var name in copied)
        {
            Assert.Contains(dense.Findings, f => f.File == catalog.Bricks[0].File && f.What.Contains($"'{name}'"));
            Assert.Contains(budget.Findings, f => f.File == catalog.Bricks[0].File && f.What.Contains($"'{name}'"));
        }
    }

    [Fact]
    public void SplitRefusesToWriteALeakAndSaysWhy()
    {
        // A Reshape shape is structural and published by design; a second model holds the same bytes as a non-structural
        // initializer, so the split of both publishes that model's values and must refuse.
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 4, 6);
        m.Ints("AcmeSecret_shape", 2, 3, 4, 1, 1, 1, 1, 1);
        m.Node("Reshape", ["x", "AcmeSecret_shape"], ["y"], "AcmeSecret_reshape");
        m.Output("y");
        var leaky = m.Save(temp.Path, "leaky");
        // The same bytes as a non-structural initializer of another model: the audit of a split of both must flag it.
        var other = new TinyModel().Input("x2", 1, 8);
        var t = new TensorProto { Name = "AcmeSecret_bias", DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(8);
        t.Int64Data.AddRange([2, 3, 4, 1, 1, 1, 1, 1]);
        other.Graph.Initializer.Add(t);
        other.Node("Cast", ["x2"], ["x2i"], attributes: TinyModel.IntAttr("to", 7));
        other.Node("Add", ["x2i", "AcmeSecret_bias"], ["y2"]);
        other.Output("y2", TensorProto.Types.DataType.Int64);
        var otherPath = other.Save(temp.Path, "other");
        var output = temp.File("out");

        var e = Assert.Throws<PrivacyLeakException>(() => SplitRunner.Run([leaky, otherPath], new SplitOptions { Source = LayerSourceOptions.Raw }, output));

        Assert.Contains("AcmeSecret_bias", e.Message);
        Assert.False(Directory.Exists(output));
        var written = SplitRunner.Run([leaky, otherPath], new SplitOptions { Source = LayerSourceOptions.Raw, PrivacyAudit = false }, output);
        Assert.True(written.UniqueBricks > 0);
    }

    public static IEnumerable<object[]> LightCases() => new[] { 1, 3 }.Select(g => new object[] { g });

    [Theory]
    [MemberData(nameof(LightCases))]
    public void AuditFindsNothingOnTheSharedLightModels(int g)
    {
        // Two of the nine, for time: every light-model split in LightModelSplitTests runs the same audit (split's default).
        using var temp = new TempFolder();
        var models = new[] { "squeezenet", "shufflenet" }.Select(TestPaths.LightModel).ToList();
        SplitRunner.Run(models, new SplitOptions { Granularity = g, Source = LayerSourceOptions.Raw, PrivacyAudit = false }, temp.File("out"));

        var report = PrivacyAudit.Run(temp.File("out"), models);

        Assert.True(report.IsClean, PrivacyAudit.Describe(report));
        Assert.True(report.PublicFiles.Count > 10, string.Join(", ", report.PublicFiles));
    }
}
