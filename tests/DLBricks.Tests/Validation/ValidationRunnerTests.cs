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
        var quick = new ScenarioMeasurer(ScenarioEngine.Configuration(intraOpThreads: 1), new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
        var requested = new List<string>();
        IReadOnlyDictionary<string, BrickResult> Measure(IReadOnlyList<BrickLocation> bricks)
        {
            requested.AddRange(bricks.Select(b => b.Entry.Hash));
            Assert.All(bricks, b => Assert.True(File.Exists(b.FilePath)));
            return quick.MeasureBricks(bricks, "s", "c");
        }

        var report = ValidationRunner.Run([model], new ValidationRunOptions
        {
            Granularities = [1, 2],
            EndToEndRepeats = 2,
            FixedCostCorrection = true,
            Scenario = new ScenarioOptions(MinQueries: 5, WarmupQueries: 1),
        }, work, Measure);

        Assert.Equal([1, 2], report.Models.Select(r => r.G));
        Assert.All(report.Models, r =>
        {
            Assert.Equal("tiny", r.Model);
            Assert.Empty(r.MissingBricks);
            Assert.True(r.E2eMs > 0 && r.EstimateMs > 0 && r.Normalized > 0);
            Assert.True(r.EstimateMs <= r.EstimateUncorrectedMs);
        });
        // Bricks shared between the G=1 and G=2 splits are measured once.
        Assert.Equal(requested.Count, requested.Distinct().Count());
        Assert.Equal(2, report.Summary.Count);
        Assert.True(report.CallOverheadMs > 0);
        Assert.Equal(["fixed-cost"], report.Corrections);
        Assert.Equal("tiny", Assert.Single(report.Profiles).Model);
    }

    [Fact]
    public void RepeatedRunsMeasureBricksAfreshAndReportRunToRunSpread()
    {
        var model = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var work = Path.Combine(Path.GetDirectoryName(model)!, "work");
        var quick = new ScenarioMeasurer(ScenarioEngine.Configuration(intraOpThreads: 1), new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
        var requested = new List<string>();
        IReadOnlyDictionary<string, BrickResult> Measure(IReadOnlyList<BrickLocation> bricks)
        {
            requested.AddRange(bricks.Select(b => b.Entry.Hash));
            return quick.MeasureBricks(bricks, "s", "c");
        }

        var report = ValidationRunner.Run([model], new ValidationRunOptions
        {
            Granularities = [1, 2],
            EndToEndRepeats = 2,
            Runs = 3,
            Profile = false,
            Statistic = DLBricks.Shared.LatencyStatistic.P25,
            Scenario = new ScenarioOptions(MinQueries: 5, WarmupQueries: 1),
        }, work, Measure);

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
        var quick = new ScenarioMeasurer(ScenarioEngine.Configuration(intraOpThreads: 1), new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
        var e2eCalls = new List<string>();
        DLBricks.Shared.LatencyStatistics MeasureModel(string path)
        {
            e2eCalls.Add(Path.GetFileNameWithoutExtension(path));
            // Fails on its second measurement, after its bricks were measured: the run must not lose the other model.
            if (path == doomed && e2eCalls.Count(c => c == "doomed") == 2)
                throw new InvalidModelException($"{path}: ONNX Runtime cannot run the model end to end: out of luck");
            return quick.MeasureModel(path);
        }

        var report = ValidationRunner.Run([doomed, good], new ValidationRunOptions
        {
            Granularities = [1],
            EndToEndRepeats = 2,
            Profile = true,
            Scenario = new ScenarioOptions(MinQueries: 5, WarmupQueries: 1),
        }, work, MeasureModel, bricks => quick.MeasureBricks(bricks, "s", "c"), null, null, CancellationToken.None);

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
