using DLBricks.Benchmarking;
using DLBricks.Export;
using DLBricks.Storage;
using MathNet.Numerics.Distributions;
using DLBricks.Splitting;

namespace DLBricks.Validation;

/// <summary>
/// Measures models and bricks with the single-stream scenario instead of BenchmarkDotNet: fewer statistical guarantees
/// (no pilot stage, no outlier removal) but seconds instead of minutes. It serves the end-to-end side of validation, and
/// a quick brick measurer until (or instead of) the BenchmarkDotNet engine; both sides then share one harness.
/// </summary>
internal sealed class ScenarioMeasurer
{
    private readonly ScenarioSessionOptions _session;
    private readonly ScenarioOptions _scenario;

    /// <summary>Creates a measurer; defaults: ONNX Runtime thread defaults, 100 queries after 10 warm-ups.</summary>
    public ScenarioMeasurer(ScenarioSessionOptions? session = null, ScenarioOptions? scenario = null)
    {
        _session = session ?? new ScenarioSessionOptions();
        _scenario = scenario ?? new ScenarioOptions();
    }

    /// <summary>Measures a model file end to end, fed <paramref name="inputs"/> (default: resolved without bindings).</summary>
    /// <exception cref="InvalidDataException">The model cannot be loaded; the message names it.</exception>
    /// <exception cref="InvalidModelException">An input cannot be resolved; the message names it.</exception>
    public LatencyStatistics MeasureModel(string modelPath, Graph.ModelInputs? inputs = null)
    {
        using var session = ScenarioSession.Open(modelPath, _session with { Inputs = inputs });
        return Statistics(Scenarios.SingleStream(session, _scenario).LatenciesMs);
    }

    /// <summary>Measures one brick of a catalog; a brick that cannot load or run is a failed result with the reason.</summary>
    public BrickResult MeasureBrick(string catalogFolder, BrickEntry brick, string systemKey, string configurationKey)
    {
        ArgumentNullException.ThrowIfNull(brick);
        var integers = brick.Inputs
            .Where(t => t.ElementType is not ("float" or "double" or "float16" or "bfloat16"))
            .ToDictionary(t => t.Name, t => t.Values ?? [(long)(t.Min ?? 0)]);
        try
        {
            using var session = ScenarioSession.Open(Path.Combine(catalogFolder, brick.File), _session with { IntegerInputs = integers });
            var stats = Statistics(Scenarios.SingleStream(session, _scenario).LatenciesMs);
            return new BrickResult(brick.Hash, systemKey, configurationKey, stats, null, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidModelException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            return new BrickResult(brick.Hash, systemKey, configurationKey, null, e.Message, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>Measures many bricks one after another; the shape <see cref="ValidationRunner"/> takes for its brick pipeline.</summary>
    public IReadOnlyDictionary<string, BrickResult> MeasureBricks(IReadOnlyList<BrickLocation> bricks, string systemKey, string configurationKey)
    {
        ArgumentNullException.ThrowIfNull(bricks);
        return bricks.ToDictionary(b => b.Entry.Hash, b => MeasureBrick(b.CatalogFolder, b.Entry, systemKey, configurationKey), StringComparer.Ordinal);
    }

    /// <summary>
    /// Measures the harness's fixed per-call cost: the same harness running a one-element Identity model, whose
    /// compute is negligible. This is the calibration <see cref="Estimation.FixedCostCorrection"/> subtracts.
    /// </summary>
    public LatencyStatistics MeasureCallOverhead()
    {
        using var session = ScenarioSession.Open(IdentityModel.Bytes, "identity (calibration)", _session with { BatchSize = 1 });
        return Statistics(Scenarios.SingleStream(session, _scenario).LatenciesMs);
    }

    /// <summary>The <see cref="LatencyStatistics"/> of raw per-run latencies (ms): nearest-rank percentiles, 99.9 % Student-t CI, 20 % trimmed mean.</summary>
    public static LatencyStatistics Statistics(IReadOnlyList<double> samplesMs)
    {
        ArgumentNullException.ThrowIfNull(samplesMs);
        if (samplesMs.Count == 0) throw new ArgumentException("no samples.", nameof(samplesMs));
        var sorted = samplesMs.Order().ToArray();
        var n = sorted.Length;
        var mean = sorted.Average();
        var stdDev = n > 1 ? Math.Sqrt(sorted.Sum(x => (x - mean) * (x - mean)) / (n - 1)) : 0;
        var halfWidth = n > 1 ? StudentT.InvCDF(0, 1, n - 1, 0.9995) * stdDev / Math.Sqrt(n) : 0;
        var cut = (int)Math.Floor(n * 0.2);
        var trimmed = sorted.Skip(cut).Take(n - 2 * cut).Average();
        return new LatencyStatistics(mean, Percentiles.Median(sorted), stdDev,
            Percentiles.NearestRank(sorted, 0.90), Percentiles.NearestRank(sorted, 0.95),
            mean - halfWidth, mean + halfWidth, trimmed, n, sorted[0], sorted[^1],
            Percentiles.NearestRank(sorted, 0.10), Percentiles.NearestRank(sorted, 0.25))
        {
            Distribution = LatencyDistribution.FromSamples(sorted),
        };
    }
}
