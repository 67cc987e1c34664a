using DLBricks.Benchmarking;
using DLBricks.Storage;
using DLBricks.Validation;

namespace DLBricks.Tests.Validation;

public class ValidationRunnerTests
{
    [Fact]
    public void SplitsMeasuresAndReportsATinyModelEndToEnd()
    {
        var model = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var work = Path.Combine(Path.GetDirectoryName(model)!, "work");
        var measurement = new RecordingMeasurement();

        var report = ValidationRunner.Run([model], new ValidationRunOptions
        {
            Granularities = [1, 2],
            EndToEndRepeats = 2,
            FixedCostCorrection = true,
            Scenario = new ScenarioOptions(MinQueries: 5, WarmupQueries: 1),
        }, work, measurement);
        var requested = measurement.Bricks.Select(b => b.Entry.Hash).ToList();

        Assert.Equal([1, 2], report.Models.Select(r => r.G));
        Assert.All(report.Models, r =>
        {
            Assert.Equal("tiny", r.Model);
            Assert.Empty(r.MissingBricks);
            Assert.True(r.E2eMs > 0 && r.EstimateMs > 0 && r.Normalized > 0);
            Assert.True(r.EstimateMs <= r.EstimateUncorrectedMs);
        });
        Assert.All(measurement.Bricks, b => Assert.True(File.Exists(b.FilePath)));
        // Bricks shared between the G=1 and G=2 splits are measured once.
        Assert.Equal(requested.Count, requested.Distinct().Count());
        Assert.Equal(2, report.Summary.Count);
        Assert.True(report.CallOverheadMs > 0);
        Assert.Equal(["fixed-cost"], report.Corrections);
        Assert.Equal("tiny", Assert.Single(report.Profiles).Model);
    }

    [Fact]
    public void TheParallelExecutorsCriticalPathIsScheduledOnItsWorkersAtTheMeasuredSpeedup()
    {
        // Two independent convolution chains: the calibration model is itself a small branchy model.
        var model = TinyModels.WriteTemp(ConcurrencyCalibration.Model(2), "branches");
        var work = Path.Combine(Path.GetDirectoryName(model)!, "work");
        var parallel = new DLBricks.Shared.RunConfiguration("cpu", null, 1, 2, "parallel", "all", "scenario", "scenario");
        var measurement = new ScenarioMeasurer(parallel, new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
        var options = new ValidationRunOptions
        {
            Granularities = [1],
            EndToEndRepeats = 2,
            Profile = false,
            // No fixed-cost correction: the bounds below are on the schedule itself, before any per-call cost comes off.
            FixedCostBelowMs = 0,
            Session = parallel,
            Scenario = new ScenarioOptions(MinQueries: 5, WarmupQueries: 1),
        };

        var scheduled = ValidationRunner.Run([model], options, work, measurement);
        var unscheduled = ValidationRunner.Run([model], options with { WorkerSchedule = false }, work + "-off", measurement);

        var profile = Assert.IsType<DLBricks.Shared.ConcurrencyProfile>(scheduled.Concurrency);
        Assert.Equal(2, profile.Workers);
        Assert.Null(unscheduled.Concurrency);
        var row = Assert.Single(scheduled.Models);
        // On two workers the schedule lies between half the work (perfect overlap) and all of it (none).
        Assert.InRange(row.EstimateCriticalPathMs, row.EstimateUncorrectedMs / 2 - 1e-9, row.EstimateUncorrectedMs + 1e-9);
        // The machine never does more than S(2) bricks' worth of work per unit of time.
        Assert.True(row.EstimateCriticalPathMs >= row.EstimateUncorrectedMs / profile.Speedup(2) - 1e-9);
    }

    [Fact]
    public void RepeatedRunsMeasureBricksAfreshAndReportRunToRunSpread()
    {
        var model = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var work = Path.Combine(Path.GetDirectoryName(model)!, "work");
        var measurement = new RecordingMeasurement();

        var report = ValidationRunner.Run([model], new ValidationRunOptions
        {
            Granularities = [1, 2],
            EndToEndRepeats = 2,
            Runs = 3,
            Profile = false,
            Statistic = DLBricks.Shared.LatencyStatistic.P25,
            Scenario = new ScenarioOptions(MinQueries: 5, WarmupQueries: 1),
        }, work, measurement);
        var requested = measurement.Bricks.Select(b => b.Entry.Hash).ToList();

        var reproducibility = Assert.IsType<DLBricks.Reporting.ReproducibilityReport>(report.Reproducibility);
        Assert.Equal(3, reproducibility.Runs);
        Assert.Equal([1, 2], reproducibility.Rows.Select(r => r.G));
        Assert.All(reproducibility.Rows, r =>
        {
            Assert.Equal(3, r.Normalized.Count);
            Assert.All(r.Normalized, n => Assert.True(n > 0 && double.IsFinite(n)));
            Assert.True(r.NormalizedSpread >= 0 && r.E2eSpread >= 0 && r.EstimateSpread >= 0);
        });
        // The first run's rows are the report's rows.
        Assert.Equal(report.Models.Select(m => m.Normalized), reproducibility.Rows.Select(r => r.Normalized[0]));
        // Every run measures each unique brick once more: the second and third see this moment's noise, not the first run's.
        var unique = requested.Distinct().Count();
        Assert.Equal(3 * unique, requested.Count);
        Assert.All(requested.GroupBy(h => h), g => Assert.Equal(3, g.Count()));
    }
}

public class ValidationRunnerFailureTests
{
    [Fact]
    public void AModelThatCannotRunEndToEndIsListedAndTheOthersAreReported()
    {
        var good = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "good");
        var doomed = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "doomed");
        var work = Path.Combine(Path.GetDirectoryName(good)!, "work");
        var measurement = new RecordingMeasurement();
        // Fails on its second measurement, after its bricks were measured: the run must not lose the other model.
        measurement.FailModel = path => path == doomed && measurement.Models.Count(m => m == path) == 2
            ? new InvalidModelException($"{path}: ONNX Runtime cannot run the model end to end: out of luck")
            : null;

        var report = ValidationRunner.Run([doomed, good], new ValidationRunOptions
        {
            Granularities = [1],
            EndToEndRepeats = 2,
            Profile = true,
            Scenario = new ScenarioOptions(MinQueries: 5, WarmupQueries: 1),
        }, work, measurement);

        Assert.Equal("good", Assert.Single(report.Models).Model);
        Assert.Equal("good", Assert.Single(report.Profiles).Model);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(("doomed", "end-to-end"), (failure.Model, failure.Stage));
        Assert.Contains("out of luck", failure.Reason);
        Assert.Contains("## Failed models", DLBricks.Reporting.ValidationReportMarkdownWriter.ToMarkdown(report));
    }

    [Fact]
    public void WhenEveryModelFailsTheErrorSaysWhyInOneLine()
    {
        var bad = TinyModels.WriteTemp([1, 2, 3, 4], "junk");
        var e = Assert.Throws<InvalidModelException>(() => ValidationRunner.Run([bad], new ValidationRunOptions { Granularities = [1] },
            Path.Combine(Path.GetDirectoryName(bad)!, "work")));
        Assert.Contains(bad, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}

/// <summary>
/// The quick engine (single-stream, 5 queries after 1 warm-up, one intra-op thread) as a validation measurement that records
/// what the runner asks for, and can make a model's end-to-end measurement fail.
/// </summary>
internal sealed class RecordingMeasurement : IValidationMeasurement
{
    private readonly ScenarioMeasurer _quick =
        new(ScenarioEngine.Configuration(intraOpThreads: 1), new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));

    /// <summary>Model paths asked for, in order.</summary>
    public List<string> Models { get; } = [];

    /// <summary>Bricks asked for, in order.</summary>
    public List<BrickLocation> Bricks { get; } = [];

    /// <summary>Called after a model is recorded; an exception it returns is thrown instead of measuring.</summary>
    public Func<string, Exception?>? FailModel { get; set; }

    public DLBricks.Shared.LatencyStatistics MeasureModel(string modelPath)
    {
        Models.Add(modelPath);
        if (FailModel?.Invoke(modelPath) is { } failure) throw failure;
        return _quick.MeasureModel(modelPath);
    }

    public IReadOnlyDictionary<string, BrickResult> MeasureBricks(IReadOnlyList<BrickLocation> bricks)
    {
        Bricks.AddRange(bricks);
        return _quick.MeasureBricks(bricks, "s", "c");
    }

    public DLBricks.Shared.LatencyStatistics Calibrate() => _quick.MeasureCallOverhead();

    public DLBricks.Shared.ConcurrencyProfile? CalibrateConcurrency() => _quick.CalibrateConcurrency();
}
