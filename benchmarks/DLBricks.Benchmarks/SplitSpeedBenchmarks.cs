using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Splitting;

namespace DLBricks.Benchmarks;

/// <summary>
/// Issue 2's speed requirement: parse + constant folding + split + hash of generated chain models of 1k, 10k and 100k layers,
/// without ONNX Runtime (shapes come from value_info). Target: under 2 s at 10k layers, linear growth.
/// </summary>
[Config(typeof(FewIterations))]
[MemoryDiagnoser]
public class SplitSpeedBenchmarks
{
    private string _path = "";

    /// <summary>Layers in the chain.</summary>
    [Params(1_000, 10_000, 100_000)]
    public int Layers { get; set; }

    /// <summary>Granularity.</summary>
    [Params(1, 3)]
    public int G { get; set; }

    /// <summary>Generates (or reuses) the model file; generation is not timed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _path = ChainModels.Ensure(Layers);
        if (Layers == 1_000 && G == 1) ChainModels.CheckAgainstProbe();
    }

    /// <summary>OnnxModel.Load + BuildFromDeclaredShapes + ModelSplitter.Split (every piece hashed).</summary>
    [Benchmark(Description = "Load+Build+Split")]
    public int LoadBuildSplit()
    {
        var model = OnnxModel.Load(_path);
        var graph = LayerGraphBuilder.BuildFromDeclaredShapes(model);
        return ModelSplitter.Split(graph, G).Pieces.Count;
    }

    // A call takes 10 ms to seconds: a handful of iterations gives stable means without minutes per case.
    private sealed class FewIterations : ManualConfig
    {
        public FewIterations()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5));
        }
    }
}
