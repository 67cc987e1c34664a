using DLBricks.Benchmarking;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Storage;
using DLBricks.Validation;

namespace DLBricks.Tests.Graph;

public class ModelInputsTests
{
    [Fact]
    public void ProbeBricksEndToEndScenarioAndProfileFeedTheSameUnsetIntegerInput()
    {
        using var temp = new TempFolder();
        var path = ModelFiles.GateModel(temp.Path);

        var inputs = ModelInputs.Resolve(path);
        var n = inputs.Find("n")!;
        Assert.Equal([1L], n.Shape);
        Assert.Equal([ModelInputs.DefaultIntegerValue], ModelInputs.ExpandedIntegers(n)!);
        Assert.Null(ModelInputs.ExpandedIntegers(inputs.Find("x")!));

        // The probe (and with it every brick's recorded input values) saw the resolved value.
        var graph = LayerGraphBuilder.Build(path);
        Assert.Equal(ModelInputs.ExpandedIntegers(n), graph.Tensors["n"].IntegerValues);

        // End to end on the benchmark engine's runner: the then-branch runs, so no Reshape error.
        var configuration = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");
        using (var runner = OnnxModelRunner.Open(path, configuration, SyntheticInputs.SpecsFor(inputs)))
        {
            Assert.Equal([1L], runner.Inputs.Single(i => i.Name == "n").Values!);
            runner.Run();
        }

        // Scenario and Observation-1 profile runs resolve the same inputs when none are passed.
        using (var model = OnnxModelRunner.OpenModel(path, ScenarioEngine.Configuration()))
        {
            Assert.Equal([1L], model.Inputs.Single(i => i.Name == "n").Values!);
            model.Run();
        }
        var profile = ProfileSumCheck.Run(path, runs: 1, warmupRuns: 0);
        Assert.Single(profile.Runs);
    }

    [Fact]
    public void AGivenValueReachesEveryPathAlike()
    {
        using var temp = new TempFolder();
        var path = ModelFiles.GateModel(temp.Path);
        var bindings = ModelInputBindings.Parse("gate", [], [], ["gate:n=0"]);
        var inputs = ModelInputs.Resolve(path, bindings);
        Assert.Equal([0L], ModelInputs.ExpandedIntegers(inputs.Find("n")!)!);

        // n = 0 selects the impossible branch: the probe, the scenario session and the profile check all fail on it.
        var probe = Assert.Throws<InvalidModelException>(() => LayerGraphBuilder.Build(path, bindings: bindings));
        Assert.Contains("Reshape", probe.Message);
        Assert.ThrowsAny<Exception>(() =>
        {
            using var runner = OnnxModelRunner.OpenModel(path, ScenarioEngine.Configuration(), new ModelRunOptions(inputs));
            runner.Run();
        });
        Assert.ThrowsAny<Exception>(() => ProfileSumCheck.Run(path, runs: 1, warmupRuns: 0, inputs: inputs));
    }

    [Fact]
    public void BoolInputsDefaultToTrueOnEveryPath()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("mask", TensorProto.Types.DataType.Bool, 1, 3);
        m.Node("Not", ["mask"], ["y"]);
        m.Output("y", TensorProto.Types.DataType.Bool);
        var path = m.Save(temp.Path, "mask");

        var inputs = ModelInputs.Resolve(path);
        Assert.Equal([1L, 1, 1], ModelInputs.ExpandedIntegers(inputs.Inputs.Single())!);
        var spec = SyntheticInputs.SpecsFor(inputs).Single();
        using var value = SyntheticInputs.Create(spec, new Random(7));
        Assert.All(value.GetTensorDataAsSpan<bool>().ToArray(), Assert.True);
    }

    [Theory]
    [InlineData(1048576L, 1048576L, "memory limit")]          // 2^40 floats = 4 TiB
    [InlineData(1099511627776L, 1099511627776L, "64 bits")]   // 2^80 elements
    public void HugeDeclaredInputsAreRefusedBeforeAnythingIsAllocated(long d0, long d1, string expected)
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", d0, d1);
        m.Node("Relu", ["x"], ["y"]);
        m.Output("y");
        var path = m.Save(temp.Path, "huge");

        var e = Assert.Throws<InvalidModelException>(() => ModelInputs.Resolve(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("'x'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Throws<InvalidModelException>(() => LayerGraphBuilder.Build(path));
    }

    [Fact]
    public void TheMemoryLimitIsConfigurableAndCountsAllInputsTogether()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("a", 1, 256);
        m.Input("b", 1, 256);
        m.Node("Add", ["a", "b"], ["y"]);
        m.Output("y");
        var path = m.Save(temp.Path, "two");

        // Each input is 1 KiB; together 2 KiB.
        Assert.Equal(2048, ModelInputs.Resolve(path, new ModelInputBindings { MemoryLimitBytes = 2048 }).TotalBytes);
        var e = Assert.Throws<InvalidModelException>(() => ModelInputs.Resolve(path, new ModelInputBindings { MemoryLimitBytes = 1536 }));
        Assert.Contains("--memory-limit", e.Message);
        Assert.Contains("'b'", e.Message);
        var bigShape = ModelInputBindings.Parse("two", ["a=1,100000"], [], [], memoryLimitBytes: 4096);
        Assert.Contains("'a'", Assert.Throws<InvalidModelException>(() => ModelInputs.Resolve(path, bigShape)).Message);
    }

    [Theory]
    [InlineData("x=99999999999999999999,2")]
    [InlineData("x=-1,2")]
    [InlineData("x=two")]
    public void MalformedShapesAreOneLineErrors(string shape)
    {
        var e = Assert.Throws<InvalidModelException>(() => ModelInputBindings.Parse("m", [shape], [], []));
        Assert.StartsWith("--shape", e.Message);
    }

    [Theory]
    [InlineData("4GiB", 4L << 30)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("1.5k", 1536L)]
    [InlineData("1000", 1000L)]
    public void SizesParse(string text, long bytes) => Assert.Equal(bytes, TensorSize.ParseSize(text, "--memory-limit"));

    [Theory]
    [InlineData("0")]
    [InlineData("-5MB")]
    [InlineData("lots")]
    [InlineData("99999999TiB")]
    public void BadSizesAreRefused(string text) =>
        Assert.Contains("--memory-limit", Assert.Throws<InvalidModelException>(() => TensorSize.ParseSize(text, "--memory-limit")).Message);
}
