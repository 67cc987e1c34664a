using DLBricks.Benchmarking;
using DLBricks.Corpus.Families;
using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using DLBricks.Shared;
using DLBricks.Validation;
using Google.Protobuf;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Tests.Splitting;

/// <summary>If/Loop/Scan layers split into bricks that load and run whichever branch or trip count the inputs select.</summary>
public class ControlFlowSplitTests
{
    private static readonly RunConfiguration RunAsBench = new("cpu", null, 1, 0, "sequential", "disabled", "control-flow");

    private static string Save(ModelProto model, string folder, string name)
    {
        var path = Path.Combine(folder, name + ".onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ModelInputBindings Values(params (string Name, double Value)[] values)
    {
        var bindings = new ModelInputBindings();
        foreach (var (name, value) in values) bindings.Values[name] = [value];
        return bindings;
    }

    private static void RunEveryBrick(string splitFolder, BrickCatalog catalog)
    {
        foreach (var brick in catalog.Bricks)
        {
            using var runner = OnnxModelRunner.Open(Path.Combine(splitFolder, brick.File), RunAsBench, brick.Inputs, brick.Outputs,
                SyntheticInputs.SeedFrom(brick.Hash));
            runner.Run();
        }
    }

    [Theory]
    [InlineData(16000, 800)]   // outer then-branch: decimated to half the samples
    [InlineData(8000, 1600)]   // else-branch, inner then-branch: the Reshape+Squeeze that failed to load before
    [InlineData(44100, 1600)]  // else-branch, inner else-branch
    public void The_nested_if_rate_switch_splits_into_bricks_that_load_and_run_whichever_branch_is_taken(long rate, long samples)
    {
        using var temp = new TempFolder();
        var model = Save(Audio.SampleRateSwitch(), temp.Path, "switch");
        var output = Path.Combine(temp.Path, "split");

        var result = SplitRunner.Run([model], new SplitOptions { Granularity = 1, Bindings = _ => Values(("sample_rate", rate)) }, output);

        Assert.Empty(result.RefusedBricks);
        var ifBrick = Assert.Single(result.Catalog.Bricks, b => b.OpTypes.SequenceEqual(["If"]));
        // Each branch keeps its own shapes: the If's output is as long as the taken branch makes it.
        Assert.Equal([1, samples], Assert.Single(ifBrick.Outputs).Shape);
        RunEveryBrick(output, result.Catalog);
    }

    [Fact]
    public void Inputs_a_control_flow_layer_reads_are_declared_symbolic_in_its_brick_and_fed_with_their_probed_shapes()
    {
        using var temp = new TempFolder();
        var graph = LayerGraphBuilder.Build(Save(Audio.SampleRateSwitch(), temp.Path, "switch"), bindings: Values(("sample_rate", 16000)));
        var split = ModelSplitter.Split(graph, 1);

        var brick = split.Pieces.Single(p => p.Brick.Spec.Layers.Single().OpType == "If").Brick;
        var g = brick.Skeleton.Graph;
        // The frames, the rate and the audio (all read inside the branches) are declared symbolic; the catalog keeps the
        // probed shapes to feed. Declared static, the 16 kHz frames [1, 800, 2] made the untaken 8 kHz Squeeze fail to load.
        var fed = g.Input.Where(i => i.Name.StartsWith("in", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, fed.Count);
        Assert.All(fed.SelectMany(i => i.Type.TensorType.Shape.Dim), d => Assert.False(string.IsNullOrEmpty(d.DimParam)));
        Assert.Equal(new long[][] { [1, 800, 2], [1], [1, 1600] }, brick.Inputs.Select(i => i.Shape));
        Assert.Equal([16000L], brick.Inputs.Single(i => i.ElementType == "int64").Values!);
        // Layers outside control flow keep fully static declarations.
        var conv = split.Pieces.First(p => p.Brick.Spec.Layers.Single().OpType == "Conv").Brick.Skeleton.Graph;
        Assert.All(conv.Input.SelectMany(i => i.Type.TensorType.Shape.Dim), d => Assert.True(d.DimValue > 0));
    }

    [Fact]
    public void A_loop_whose_trip_count_comes_from_an_input_value_runs_that_many_times_in_its_brick()
    {
        using var temp = new TempFolder();
        var path = Save(Audio.FrameLoop(), temp.Path, "frames");
        var hashes = new List<string>();
        foreach (var (length, frames) in new[] { (1L, 1L), (1000L, 8L) })
        {
            var graph = LayerGraphBuilder.Build(path, bindings: Values(("length", length)));
            var loop = ModelSplitter.Split(graph, 1).Pieces.Single(p => p.Brick.Spec.Layers.Single().OpType == "Loop").Brick;
            Assert.Equal([frames, 1, 32], loop.Outputs[1].Shape);
            hashes.Add(loop.Hash);
            using var runner = OnnxModelRunner.Open(BrickMaterializer.ToBytes(loop), RunAsBench, loop.Inputs, loop.Outputs, 1);
            runner.Run();
        }
        // The trip count is part of what the brick computes, so it is part of its identity.
        Assert.NotEqual(hashes[0], hashes[1]);
    }

    [Fact]
    public void Every_audio_family_model_splits_at_G_1_to_6_with_every_brick_loading_and_running()
    {
        using var temp = new TempFolder();
        var models = new List<SplitAuditModel>();
        var rateSwitch = Save(Audio.SampleRateSwitch(), temp.Path, "sr-switch");
        foreach (var rate in new[] { 16000, 8000, 44100 })
            models.Add(new SplitAuditModel($"sr-switch@{rate}", rateSwitch, Values(("sample_rate", rate))));
        models.Add(new SplitAuditModel("frame-loop", Save(Audio.FrameLoop(), temp.Path, "frame-loop"), Values(("length", 1000))));
        models.Add(new SplitAuditModel("lstm-stream", Save(Audio.StatefulRnn(cell: "lstm"), temp.Path, "lstm"), ModelInputBindings.None));
        models.Add(new SplitAuditModel("gru-stream", Save(Audio.StatefulRnn(cell: "gru"), temp.Path, "gru"), ModelInputBindings.None));

        var report = SplitAudit.Run(models, new SplitAuditOptions());

        Assert.True(report.AllPassed, string.Join("\n", report.Failures.Select(f => $"{f.Model}: {f.Message}")));
        Assert.Equal(models.Count * 6, report.Rows.Count);
        Assert.All(report.Rows, r => Assert.Equal(0, r.FailedBricks));
    }

    [Fact]
    public void Control_flow_nested_200_deep_splits_or_fails_with_one_line_naming_the_file()
    {
        using var temp = new TempFolder();
        var path = Save(NestedIf(200), temp.Path, "deep");
        var output = Path.Combine(temp.Path, "split");

        try
        {
            var result = SplitRunner.Run([path], new SplitOptions { Granularity = 2 }, output);
            Assert.NotEmpty(result.Catalog.Bricks);
            RunEveryBrick(output, result.Catalog);
        }
        catch (InvalidModelException e)
        {
            Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            Assert.False(Directory.Exists(output));
        }
    }

    [Fact]
    public void Nesting_beyond_the_supported_depth_is_one_clear_error_not_a_stack_overflow()
    {
        using var temp = new TempFolder();
        var path = Save(NestedIf(OnnxModel.MaxControlFlowDepth + 50), temp.Path, "too-deep");

        var e = Assert.Throws<InvalidModelException>(() => SplitRunner.Run([path], new SplitOptions(), Path.Combine(temp.Path, "split")));

        Assert.Contains("nested too deeply", e.Message);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_candidate_is_recorded_in_the_catalog_and_a_refused_single_layer_stops_the_split_naming_its_node()
    {
        // Declared shapes the runtime rejects (x is really [1, 6] but W wants 4 rows): both the Relu+MatMul candidate and
        // the MatMul alone fail to load, while the Relu alone loads.
        var m = new TinyModel();
        m.Input("x", 1, 6);
        m.Weight("W", 4, 3);
        m.Node("Relu", ["x"], ["r"], "relu");
        m.Node("MatMul", ["r", "W"], ["y"], "project");
        m.Graph.ValueInfo.Add(TinyModel.ValueInfo("r", DataType.Float, 1, 6));
        m.Graph.Output.Add(TinyModel.ValueInfo("y", DataType.Float, 1, 3));
        using var temp = new TempFolder();
        var graph = LayerGraphBuilder.BuildFromDeclaredShapes(OnnxModel.FromProto(m.Build(), Path.Combine(temp.Path, "bad.onnx")));

        var output = Path.Combine(temp.Path, "split");
        using (var exporter = new BrickExporter(output, LayerSourceInfo.Raw))
        {
            var split = ModelSplitter.Split(graph, 2, accept: exporter.WriteAndCheck);
            Assert.Equal([1, 1], split.Pieces.Select(p => p.LayerCount));
            exporter.Add(split, verify: false);
            exporter.Commit();
        }
        var fallback = Assert.Single(BrickCatalog.Load(output).Fallbacks!);
        Assert.Equal(["Relu", "MatMul"], fallback.OpTypes);
        Assert.Contains("MatMul", fallback.Reason);

        using var strict = new BrickExporter(Path.Combine(temp.Path, "strict"), LayerSourceInfo.Raw);
        var e = Assert.Throws<InvalidModelException>(() => strict.Add(ModelSplitter.Split(graph, 1), verify: true));
        Assert.Contains("'project' (MatMul)", e.Message);
        Assert.Contains("--no-verify", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>x [1, 4] and a depth-selecting int64 level [1]: If (level == 0) then Relu else If (level == 1) ... nested <paramref name="depth"/> deep.</summary>
    private static ModelProto NestedIf(int depth)
    {
        var m = new TinyModel(opset: 17);
        m.Input("x", 1, 4);
        m.Input("level", DataType.Int64, 1);
        GraphProto Branch(int d)
        {
            var g = new GraphProto { Name = $"level{d}" };
            if (d == depth)
            {
                g.Node.Add(new NodeProto { OpType = "Neg", Name = $"leaf{d}", Input = { "x" }, Output = { $"out{d}" } });
            }
            else
            {
                var k = new TensorProto { Name = $"k{d}", DataType = (int)DataType.Int64, Dims = { 1 }, Int64Data = { d } };
                g.Initializer.Add(k);
                g.Node.Add(new NodeProto { OpType = "Equal", Name = $"eq{d}", Input = { "level", $"k{d}" }, Output = { $"is{d}" } });
                var then = new GraphProto { Name = $"then{d}" };
                then.Node.Add(new NodeProto { OpType = "Relu", Name = $"relu{d}", Input = { "x" }, Output = { $"relu_out{d}" } });
                then.Output.Add(TinyModel.ValueInfo($"relu_out{d}", DataType.Float, 1, 4));
                g.Node.Add(new NodeProto
                {
                    OpType = "If", Name = $"if{d}", Input = { $"is{d}" }, Output = { $"out{d}" },
                    Attribute = { TinyModel.GraphAttr("then_branch", then), TinyModel.GraphAttr("else_branch", Branch(d + 1)) },
                });
            }
            g.Output.Add(TinyModel.ValueInfo($"out{d}", DataType.Float, 1, 4));
            return g;
        }
        var top = Branch(0);
        foreach (var node in top.Node) m.Graph.Node.Add(node);
        foreach (var init in top.Initializer) m.Graph.Initializer.Add(init);
        m.Node("Sigmoid", ["out0"], ["y"], "head");
        m.Graph.Output.Add(TinyModel.ValueInfo("y", DataType.Float, 1, 4));
        return m.Build();
    }
}
