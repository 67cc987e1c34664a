using System.Diagnostics;
using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Validation;

/// <summary>The repeated end-to-end measurements of one model.</summary>
/// <param name="Model">Model name.</param>
/// <param name="RepeatsMs">The chosen statistic of each end-to-end measurement, in the order taken.</param>
/// <param name="Measurements">The full statistics of each measurement.</param>
/// <param name="SpreadThreshold">Threshold the spread is compared with.</param>
/// <param name="Agreeing">
/// How many of the repeats must agree: the latency and spread come from the <paramref name="Agreeing"/> values closest to each
/// other (smallest relative range). 0 or at least the number of repeats uses them all.
/// </param>
internal sealed record EndToEndMeasurement(string Model, IReadOnlyList<double> RepeatsMs, IReadOnlyList<LatencyStatistics> Measurements, double SpreadThreshold,
    int Agreeing = 0)
{
    /// <summary>The repeats the latency is taken from: all of them, or the tightest group of <see cref="Agreeing"/>.</summary>
    public IReadOnlyList<double> UsedMs => TightestGroup(RepeatsMs, Agreeing);

    /// <summary>Median of <see cref="UsedMs"/>: the model's end-to-end latency.</summary>
    public double MedianMs => Percentiles.Median(UsedMs);

    /// <summary>(max − min) / median of <see cref="UsedMs"/>.</summary>
    public double Spread => MedianMs > 0 ? (UsedMs.Max() - UsedMs.Min()) / MedianMs : double.NaN;

    /// <summary>False when <see cref="Spread"/> exceeds the threshold: the machine was too noisy to trust a ratio against this model.</summary>
    public bool Trustworthy => !double.IsNaN(Spread) && Spread <= SpreadThreshold;

    /// <summary>The <paramref name="size"/> sorted values with the smallest (max − min) / median; all values when size is 0 or too large.</summary>
    internal static IReadOnlyList<double> TightestGroup(IReadOnlyList<double> values, int size)
    {
        if (size <= 0 || size >= values.Count) return values;
        var sorted = values.Order().ToArray();
        var best = 0;
        var bestSpread = double.PositiveInfinity;
        for (var i = 0; i + size <= sorted.Length; i++)
        {
            var window = sorted.AsSpan(i, size);
            var median = size % 2 == 1 ? window[size / 2] : (window[size / 2 - 1] + window[size / 2]) / 2;
            var spread = median > 0 ? (window[^1] - window[0]) / median : double.PositiveInfinity;
            if (spread < bestSpread) (best, bestSpread) = (i, spread);
        }
        return sorted.Skip(best).Take(size).ToArray();
    }
}

/// <summary>Wall-clock time spent in each pipeline: measuring whole models vs measuring bricks.</summary>
/// <param name="EndToEndSeconds">Total time inside the end-to-end delegate.</param>
/// <param name="BricksSeconds">Total time inside the brick delegate.</param>
/// <param name="EndToEndMeasurements">How many end-to-end measurements were made.</param>
/// <param name="BricksMeasured">How many bricks were measured (each unique brick once).</param>
internal sealed record PipelineTiming(double EndToEndSeconds, double BricksSeconds, int EndToEndMeasurements, int BricksMeasured);

/// <summary>Everything an interleaved validation measured.</summary>
/// <param name="Plan">The plan that was run.</param>
/// <param name="EndToEnd">Per model, in plan order.</param>
/// <param name="Bricks">Every brick result, by hash.</param>
/// <param name="Timing">Wall-clock time of both pipelines.</param>
internal sealed record ValidationRun(
    ValidationPlan Plan,
    IReadOnlyList<EndToEndMeasurement> EndToEnd,
    IReadOnlyDictionary<string, BrickResult> Bricks,
    PipelineTiming Timing);

/// <summary>
/// Measures models end to end several times interleaved with their bricks (before, between, after), so both are
/// measured under the same machine conditions and drift shows up as spread. The measuring itself is delegated, so the
/// orchestration is independent of the benchmark engine: the CLI passes BenchmarkDotNet-backed delegates, tests pass fakes.
/// Bricks shared between models are measured once, for the first model that needs them — as DLBricks would in practice.
/// </summary>
internal sealed class InterleavedValidation
{
    private readonly Func<ValidationModel, LatencyStatistics> _measureModel;
    private readonly Func<IReadOnlyList<string>, IReadOnlyDictionary<string, BrickResult>> _measureBricks;

    /// <param name="measureModel">Measures a whole model end to end.</param>
    /// <param name="measureBricks">Measures a set of bricks by hash; every requested hash should get a result (success or failure).</param>
    public InterleavedValidation(
        Func<ValidationModel, LatencyStatistics> measureModel,
        Func<IReadOnlyList<string>, IReadOnlyDictionary<string, BrickResult>> measureBricks)
    {
        ArgumentNullException.ThrowIfNull(measureModel);
        ArgumentNullException.ThrowIfNull(measureBricks);
        _measureModel = measureModel;
        _measureBricks = measureBricks;
    }

    /// <summary>Runs the plan. <paramref name="progress"/> gets one line per step.</summary>
    /// <param name="plan">What to measure.</param>
    /// <param name="alreadyMeasured">Results to reuse instead of measuring again (e.g. from the store).</param>
    /// <param name="progress">Optional progress sink.</param>
    public ValidationRun Run(ValidationPlan plan, IReadOnlyDictionary<string, BrickResult>? alreadyMeasured = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Validate();

        var bricks = new Dictionary<string, BrickResult>(alreadyMeasured ?? new Dictionary<string, BrickResult>(), StringComparer.Ordinal);
        var endToEnd = new List<EndToEndMeasurement>();
        var e2eTime = TimeSpan.Zero;
        var brickTime = TimeSpan.Zero;
        var e2eCount = 0;
        var bricksMeasured = 0;

        foreach (var model in plan.Models)
        {
            var pending = model.BrickHashes().Where(h => !bricks.ContainsKey(h)).ToList();
            var slices = Slice(pending, plan.EndToEndRepeats - 1);
            var measurements = new List<LatencyStatistics>();

            for (var repeat = 0; repeat < plan.EndToEndRepeats; repeat++)
            {
                progress?.Report($"{model.Name}: end-to-end {repeat + 1}/{plan.EndToEndRepeats}");
                var start = Stopwatch.GetTimestamp();
                measurements.Add(_measureModel(model));
                e2eTime += Stopwatch.GetElapsedTime(start);
                e2eCount++;

                if (repeat >= slices.Count || slices[repeat].Count == 0) continue;
                progress?.Report($"{model.Name}: {slices[repeat].Count} bricks (slice {repeat + 1}/{slices.Count})");
                start = Stopwatch.GetTimestamp();
                var results = _measureBricks(slices[repeat]);
                brickTime += Stopwatch.GetElapsedTime(start);
                bricksMeasured += slices[repeat].Count;
                foreach (var (hash, result) in results) bricks[hash] = result;
            }

            // Adaptive: while the repeats disagree, measure again (up to the plan's cap) and keep the ones that agree; a model
            // still noisy at the cap stays flagged.
            var agreeing = plan.MaxEndToEndRepeats > plan.EndToEndRepeats ? plan.EndToEndRepeats : 0;
            EndToEndMeasurement Current() => new(model.Name, measurements.Select(m => m.Get(plan.Statistic)).ToList(), measurements, plan.SpreadThreshold, agreeing);
            while (agreeing > 0 && measurements.Count < plan.MaxEndToEndRepeats && !Current().Trustworthy)
            {
                progress?.Report($"{model.Name}: end-to-end {measurements.Count + 1}/{plan.MaxEndToEndRepeats} (repeats disagree)");
                var start = Stopwatch.GetTimestamp();
                measurements.Add(_measureModel(model));
                e2eTime += Stopwatch.GetElapsedTime(start);
                e2eCount++;
            }
            endToEnd.Add(Current());
        }

        return new ValidationRun(plan, endToEnd, bricks, new PipelineTiming(e2eTime.TotalSeconds, brickTime.TotalSeconds, e2eCount, bricksMeasured));
    }

    /// <summary>Splits <paramref name="items"/> into <paramref name="count"/> nearly equal consecutive slices.</summary>
    internal static IReadOnlyList<IReadOnlyList<string>> Slice(IReadOnlyList<string> items, int count)
    {
        var slices = new List<IReadOnlyList<string>>(count);
        for (var i = 0; i < count; i++)
        {
            var from = items.Count * i / count;
            var to = items.Count * (i + 1) / count;
            slices.Add(items.Skip(from).Take(to - from).ToList());
        }
        return slices;
    }
}
