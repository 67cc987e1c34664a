using System.Diagnostics;
using DLBricks.Storage;

namespace DLBricks.Benchmarking;

/// <summary>Wall time and latency of benchmarking one whole model the same way bricks are benchmarked.</summary>
/// <param name="ModelPath">The model file.</param>
/// <param name="Statistics">Its latency per run; null when it failed.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="WallTime">Time to load and measure it.</param>
internal sealed record ModelTiming(string ModelPath, LatencyStatistics? Statistics, string? Error, TimeSpan WallTime);

/// <summary>The paper's cost comparison: benchmarking every unique brick of a model set versus benchmarking the models.</summary>
/// <param name="Bricks">The brick run (wall time in <see cref="BrickBenchmarkSummary.Elapsed"/>).</param>
/// <param name="Models">One timing per model.</param>
/// <param name="ModelsWallTime">Total wall time of the model measurements.</param>
internal sealed record BricksVersusModelsResult(BrickBenchmarkSummary Bricks, IReadOnlyList<ModelTiming> Models, TimeSpan ModelsWallTime);

/// <summary>
/// Entry point for the bricks-versus-models wall-time comparison: benchmarks the bricks of a split output folder (forced, into
/// <paramref name="store"/>) and then each whole model with the same <see cref="OnnxModelRunner"/> and <see cref="LatencyMeasurer"/>,
/// under one configuration and job, and reports both wall times.
/// </summary>
/// <param name="store">Where brick results go (use a scratch database to keep the comparison separate).</param>
/// <param name="configuration">Execution provider and options; its job must be <paramref name="job"/>'s name.</param>
/// <param name="job">Measurement job used for bricks and models alike.</param>
internal sealed class BricksVersusModels(IResultStore store, RunConfiguration configuration, BenchmarkJob job)
{
    /// <summary>Runs the comparison for the bricks in <paramref name="catalogFolder"/> and the <paramref name="modelFiles"/> they were cut from.</summary>
    public BricksVersusModelsResult Compare(string catalogFolder, IReadOnlyList<string> modelFiles, CancellationToken cancellationToken = default)
    {
        var bricks = new BrickBenchmarkRunner(store, configuration, job).Run(catalogFolder, new BrickBenchmarkOptions(Force: true),
            cancellationToken: cancellationToken);
        var measurer = new LatencyMeasurer(job);
        var models = new List<ModelTiming>();
        var total = Stopwatch.StartNew();
        foreach (var path in modelFiles)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            try
            {
                var inputs = SyntheticInputs.SpecsFor(Graph.ModelInputs.Resolve(path));
                using var runner = OnnxModelRunner.Open(path, configuration, inputs, seed: SyntheticInputs.SeedFrom(Path.GetFileName(path)));
                models.Add(new ModelTiming(path, measurer.Measure(Path.GetFileNameWithoutExtension(path), runner).Statistics, null, watch.Elapsed));
            }
            catch (Exception e) when (e is not OutOfMemoryException and not ExecutionProviderUnavailableException)
            {
                models.Add(new ModelTiming(path, null, e.Message.ReplaceLineEndings(" "), watch.Elapsed));
            }
        }
        return new BricksVersusModelsResult(bricks, models, total.Elapsed);
    }
}
