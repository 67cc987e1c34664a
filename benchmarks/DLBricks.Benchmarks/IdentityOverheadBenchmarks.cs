using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using DLBricks.Benchmarking;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarks;

/// <summary>
/// (a) The harness's fixed cost per call: one run of the empty Identity model through <see cref="OnnxModelRunner"/>
/// (IOBinding, pre-bound OrtValues) against the OrtValue-array <c>Run</c> overload with pre-allocated outputs.
/// </summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
public class IdentityOverheadBenchmarks
{
    private static readonly RunConfiguration Cpu = BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "all");
    private OnnxModelRunner _runner = null!;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _input = null!;
    private OrtValue _output = null!;
    private readonly string[] _inputNames = ["x"];
    private readonly string[] _outputNames = ["y"];
    private OrtValue[] _inputs = null!;
    private OrtValue[] _outputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runner = OnnxModelRunner.Open(CalibrationModel.Identity(), Cpu);
        using var options = SessionOptionsFactory.Create(Cpu);
        _session = new InferenceSession(CalibrationModel.Identity(), options);
        _runOptions = new RunOptions();
        _input = OrtValue.CreateTensorValueFromMemory(new float[] { 1f }, [1]);
        _output = OrtValue.CreateTensorValueFromMemory(new float[1], [1]);
        _inputs = [_input];
        _outputs = [_output];
    }

    [Benchmark(Baseline = true, Description = "OnnxModelRunner.Run (IOBinding)")]
    public void BoundRun() => _runner.Run();

    [Benchmark(Description = "Run(OrtValue[] in, OrtValue[] out)")]
    public void OrtValueArrays() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    [GlobalCleanup]
    public void Cleanup()
    {
        _runner.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig()
        {
            AddJob(Job.Default.WithToolchain(new InProcessNoEmitToolchain(TimeSpan.FromMinutes(10), logOutput: false))
                .WithWarmupCount(5).WithIterationCount(20));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}
