using DLBricks.Benchmarking;
using DLBricks.Graph;
using DLBricks.Storage;
using DLBricks.Validation;
using DLBricks.Tests.Validation;

namespace DLBricks.Tests.Benchmarking;

/// <summary>The BenchmarkDotNet engine and the scenario engine open models through one runner and one input synthesizer.</summary>
public class LatencyEngineTests
{
    private static readonly RunConfiguration BdnCpu = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");
    private static readonly RunConfiguration ScenarioCpu = ScenarioEngine.Configuration(intraOpThreads: 1);

    private static ModelInputs Gate(string path, string n) =>
        ModelInputs.Resolve(path, ModelInputBindings.Parse("gate", ["x=2,4"], [], [$"gate:n={n}"]));

    [Fact]
    public void BothEnginesFeedAModelTheSameTensors()
    {
        using var temp = new TempFolder();
        var path = ModelFiles.GateModel(temp.Path);
        var inputs = Gate(path, "1");

        using var forBdn = OnnxModelRunner.OpenModel(path, BdnCpu, new ModelRunOptions(inputs));
        using var forScenario = OnnxModelRunner.OpenModel(path, ScenarioCpu, new ModelRunOptions(inputs));

        Assert.Equal(["x", "n"], forBdn.Inputs.Select(i => i.Name));
        Assert.Equal([2L, 4], forBdn.Inputs[0].Shape);
        Assert.Equal([1L], forBdn.Inputs[1].Values!);
        for (var i = 0; i < forBdn.Inputs.Count; i++)
        {
            Assert.Equal(forBdn.Inputs[i].Shape, forScenario.Inputs[i].Shape);
            Assert.Equal(forBdn.Inputs[i].Values, forScenario.Inputs[i].Values);
        }
        // The same seed and synthesizer: bit-identical floats in [-1, 1), the given integer verbatim.
        var x = forBdn.InputValue(0).GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(8, x.Length);
        Assert.Equal(x, forScenario.InputValue(0).GetTensorDataAsSpan<float>().ToArray());
        Assert.All(x, v => Assert.InRange(v, SyntheticInputs.FloatMin, SyntheticInputs.FloatMax));
        Assert.Equal([1L], forScenario.InputValue(1).GetTensorDataAsSpan<long>().ToArray());

        // Either engine times the runner it is handed.
        ILatencyEngine bdn = new LatencyMeasurer(BenchmarkJob.Quick);
        ILatencyEngine scenario = new ScenarioEngine(new ScenarioOptions(MinQueries: 7, WarmupQueries: 1));
        Assert.Equal(BenchmarkJob.Quick.IterationCount, bdn.Measure("gate", forBdn).Statistics.N);
        Assert.Equal(7, scenario.Measure("gate", forScenario).Statistics.N);
    }

    [Fact]
    public void BothEnginesHonourAValueGivenForAnIntegerInput()
    {
        using var temp = new TempFolder();
        var path = ModelFiles.GateModel(temp.Path);
        var quick = new ScenarioMeasurer(ScenarioCpu, new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
        using var store = new SqliteResultStore(Path.Combine(temp.Path, "results.db"));

        // n = 1 takes the Identity branch; n = 0 the Reshape to [3, -1] that 8 elements cannot take, so a run fails exactly when the value reached the model.
        Assert.Equal(5, quick.MeasureModel(path, Gate(path, "1")).N);
        var scenarioError = Assert.Throws<BenchmarkFailedException>(() => quick.MeasureModel(path, Gate(path, "0")));
        Assert.Contains("Reshape", scenarioError.Message);

        var bindings = ModelInputBindings.Parse("gate", ["x=2,4"], [], ["gate:n=0"]);
        var engine = new EngineMeasurement(store, BdnCpu, BenchmarkJob.Quick, _ => bindings);
        var bdnError = Assert.Throws<InvalidModelException>(() => engine.MeasureModel(path));
        Assert.Contains("Reshape", bdnError.Message);
        bindings = ModelInputBindings.Parse("gate", ["x=2,4"], [], ["gate:n=1"]);
        Assert.Equal(BenchmarkJob.Quick.IterationCount, engine.MeasureModel(path).N);

        // The same measurement on the quick engine: what times the calls is the engine handed in.
        var onScenario = new EngineMeasurement(store, BdnCpu, BenchmarkJob.Quick, _ => bindings,
            new ScenarioEngine(new ScenarioOptions(MinQueries: 6, WarmupQueries: 1)));
        Assert.Equal(6, onScenario.MeasureModel(path).N);
    }

    [Fact]
    public void AQuickBrickMeasurementOpensTheBrickAsBenchDoes()
    {
        var folder = Path.GetDirectoryName(TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "brick"))!;
        var brick = new DLBricks.Splitting.BrickEntry("0badc0de", "brick.onnx", ["MatMul"], 1,
            [new DLBricks.Splitting.BrickTensor("X", "float", [1, 4])], [], 0, 0, 0);

        using var bench = OnnxModelRunner.OpenBrick(folder, brick, BdnCpu);
        using var again = OnnxModelRunner.OpenBrick(folder, brick, ScenarioCpu);
        // Seeded by the brick hash, whatever the engine.
        var expected = SyntheticInputs.Create(brick.Inputs[0], new Random(SyntheticInputs.SeedFrom(brick.Hash)));
        Assert.Equal(expected.GetTensorDataAsSpan<float>().ToArray(), bench.InputValue(0).GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal(expected.GetTensorDataAsSpan<float>().ToArray(), again.InputValue(0).GetTensorDataAsSpan<float>().ToArray());
        expected.Dispose();

        var result = new ScenarioMeasurer(ScenarioCpu, new ScenarioOptions(MinQueries: 4, WarmupQueries: 0)).MeasureBrick(folder, brick, "s", "c");
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(4, result.Statistics!.N);
    }
}
