using System.Text.Json;
using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Reporting;
using DLBricks.Storage;
using DLBricks.Tests.Estimation;
using DLBricks.Validation;
using DLBricks.Splitting;

namespace DLBricks.Tests.Reporting;

public class ReportTests
{
    private static ModelRecipe Chain(string model, int g, params string[] hashes) => new(
        model, g, LayerSourceInfo.Raw, hashes.Length, hashes.Length, hashes.Distinct().Count(),
        hashes.Select((h, i) => new BrickOccurrence(i, h, i, 1)).ToList(),
        Enumerable.Range(1, hashes.Length - 1).Select(i => new OccurrenceEdge(i - 1, i)).ToList());

    // Model a: e2e 10 ms, bricks x(2)+y(3) → 5 ms → normalized 0.5.  Model b: e2e 4 ms, bricks x(2)+x(2)+z(4) → 8 ms → 2.0.
    // Geomean(0.5, 2) = 1. Unique bricks x, y, z sum to 9 ms; e2e sum 14 ms → speedup 14 / 9.
    internal static ValidationRun Run()
    {
        var latency = new Dictionary<string, double> { ["x"] = 2, ["y"] = 3, ["z"] = 4 };
        var e2e = new Dictionary<string, double> { ["a"] = 10, ["b"] = 4 };
        var validation = new InterleavedValidation(
            m => EstimatorTests.Stats(e2e[m.Name]),
            hashes => hashes.ToDictionary(h => h, h => new BrickResult(h, "s", "c", EstimatorTests.Stats(latency[h]), null, DateTimeOffset.UnixEpoch)));
        return validation.Run(new ValidationPlan(
        [
            new ValidationModel("a", "a.onnx", [Chain("a", 2, "x", "y")]),
            new ValidationModel("b", "b.onnx", [Chain("b", 2, "x", "x", "z")]),
        ]));
    }

    [Fact]
    public void ReportJsonHasTheFixedKeysAndRightAggregates()
    {
        var report = ValidationReportBuilder.Build(Run());
        using var json = JsonDocument.Parse(ValidationReportJsonWriter.ToJson(report));
        var root = json.RootElement;

        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(2, models.Count);
        var a = models.Single(m => m.GetProperty("model").GetString() == "a");
        Assert.Equal(2, a.GetProperty("g").GetInt32());
        Assert.Equal(10.0, a.GetProperty("e2e_ms").GetDouble(), 9);
        Assert.Equal(5.0, a.GetProperty("estimate_ms").GetDouble(), 9);
        Assert.Equal(5.0, a.GetProperty("estimate_critical_path_ms").GetDouble(), 9);
        Assert.Equal(0.5, a.GetProperty("normalized").GetDouble(), 9);

        var summary = Assert.Single(root.GetProperty("summary").EnumerateArray());
        Assert.Equal(2, summary.GetProperty("g").GetInt32());
        Assert.Equal(1.0, summary.GetProperty("geomean_normalized").GetDouble(), 9);
        Assert.Equal(0.5, summary.GetProperty("min_normalized").GetDouble(), 9);
        Assert.Equal(2.0, summary.GetProperty("max_normalized").GetDouble(), 9);
        Assert.Equal(14.0 / 9.0, summary.GetProperty("speedup").GetDouble(), 9);
    }

    [Fact]
    public void GeometricMeanIsTheNthRootOfTheProduct()
    {
        Assert.Equal(Math.Pow(0.5 * 0.8 * 1.6, 1.0 / 3), ValidationReportBuilder.GeometricMean([0.5, 0.8, 1.6]), 12);
        Assert.Equal(4.0, ValidationReportBuilder.GeometricMean([2, 8]), 12);
        Assert.True(double.IsNaN(ValidationReportBuilder.GeometricMean([])));
    }

    [Fact]
    public void ReportRoundTripsAndCorrectionsAreNamed()
    {
        var report = ValidationReportBuilder.Build(Run(), new EstimateOptions(Corrections: [new FixedCostCorrection(EstimatorTests.Stats(0.5))]));
        // b: 8 ms over 3 runs → 8 − 2 × 0.5 = 7.
        Assert.Equal(7.0, report.Models.Single(m => m.Model == "b").EstimateMs, 9);
        Assert.Equal(["fixed-cost"], report.Corrections);

        var path = Path.Combine(Path.GetTempPath(), $"dlbricks-report-{Guid.NewGuid():N}.json");
        try
        {
            ValidationReportJsonWriter.Write(report, path);
            var back = ValidationReportJsonWriter.Read(path);
            Assert.Equal(report.Models, back.Models, (x, y) => x.Model == y.Model && x.EstimateMs == y.EstimateMs && x.Normalized == y.Normalized);
            Assert.Equal(report.Summary, back.Summary);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CostSectionShowsEachPhaseAndTheBricksAgainstOneEndToEndPass()
    {
        var built = ValidationReportBuilder.Build(Run());
        // The run measured 2 models × 3 repeats end to end; a split time is added the way ValidationRunner adds it.
        var report = built with { Timing = built.Timing! with { EndToEndSeconds = 30, BricksSeconds = 4, SplitSeconds = 2.5 } };
        Assert.Equal(2, report.Timing!.Models);
        Assert.Equal(6, report.Timing.EndToEndMeasurements);

        var markdown = ValidationReportMarkdownWriter.ToMarkdown(report);
        Assert.Contains("## Cost", markdown);
        Assert.Contains("| Split | 2.5 |", markdown);
        Assert.Contains("| One end-to-end pass | 10 |", markdown);
        Assert.Contains("Bricks / one end-to-end pass: 0.40.", markdown);

        using var json = JsonDocument.Parse(ValidationReportJsonWriter.ToJson(report));
        var timing = json.RootElement.GetProperty("timing");
        Assert.Equal(2.5, timing.GetProperty("split_seconds").GetDouble(), 9);
        Assert.Equal(10.0, timing.GetProperty("e2e_seconds_per_pass").GetDouble(), 9);
        Assert.Equal(0.4, timing.GetProperty("bricks_per_e2e_pass").GetDouble(), 9);
    }

    [Fact]
    public void MarkdownShowsEveryModelAndFlagsNoise()
    {
        var run = Run();
        var noisy = run with { EndToEnd = [run.EndToEnd[0] with { RepeatsMs = [10, 12, 10] }, run.EndToEnd[1]] };
        var markdown = ValidationReportMarkdownWriter.ToMarkdown(ValidationReportBuilder.Build(noisy));
        Assert.Contains("| a | 2 |", markdown);
        Assert.Contains("| b | 2 |", markdown);
        Assert.Contains("20.0% ⚠", markdown);
        Assert.Contains("1.56×", markdown);
    }

    [Fact]
    public void PlotsAreNonEmptyPngFiles()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"dlbricks-plots-{Guid.NewGuid():N}");
        try
        {
            var paths = ValidationPlots.WriteAll(ValidationReportBuilder.Build(Run()), folder);
            Assert.Equal(3, paths.Count);
            byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
            foreach (var path in paths)
            {
                var bytes = File.ReadAllBytes(path);
                Assert.True(bytes.Length > 1000, $"{path} is only {bytes.Length} bytes");
                Assert.Equal(signature, bytes[..8]);
            }
            // No temporary files left behind.
            Assert.Equal(3, Directory.GetFiles(folder).Length);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EstimateJsonNamesModeStatisticBreakdownAndMissing()
    {
        var recipe = Chain("m", 1, "x", "y", "x");
        var latencies = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics> { ["x"] = EstimatorTests.Stats(2) });
        var estimates = new ModelEstimator().Estimate(recipe, latencies, new EstimateOptions(LatencyStatistic.TrimmedMean));
        using var json = JsonDocument.Parse(EstimateJsonWriter.ToJson([estimates]));

        var model = Assert.Single(json.RootElement.GetProperty("models").EnumerateArray());
        Assert.False(model.GetProperty("complete").GetBoolean());
        var sequential = model.GetProperty("estimates").EnumerateArray().First();
        Assert.Equal("sequential", sequential.GetProperty("mode").GetString());
        Assert.Equal("trimmed_mean", sequential.GetProperty("statistic").GetString());
        Assert.Equal(4.0, sequential.GetProperty("estimate_ms").GetDouble(), 9);
        Assert.Equal(1, sequential.GetProperty("bricks_used").GetInt32());
        var top = Assert.Single(sequential.GetProperty("breakdown").EnumerateArray());
        Assert.Equal(2, top.GetProperty("occurrences").GetInt32());
        var missing = Assert.Single(sequential.GetProperty("missing").EnumerateArray());
        Assert.Equal("y", missing.GetProperty("hash").GetString());
        Assert.Equal("not measured", missing.GetProperty("reason").GetString());
    }
}

public class OutputTests
{
    [Fact]
    public void WriteAllProducesJsonMarkdownAndFigures()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"dlbricks-out-{Guid.NewGuid():N}");
        try
        {
            var paths = ValidationReportWriter.WriteAll(ValidationReportBuilder.Build(ReportTests.Run()), folder);
            Assert.Equal(5, paths.Count);
            Assert.All(paths, p => Assert.True(new FileInfo(p).Length > 0));
            Assert.Equal(2, ValidationReportJsonWriter.Read(paths[0]).Models.Count);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void EstimateTextNamesMissingBricks()
    {
        var recipe = new ModelRecipe("m", 1, LayerSourceInfo.Raw, 2, 2, 2,
            [new BrickOccurrence(0, "x", 0, 1), new BrickOccurrence(1, "y", 1, 1)], [new OccurrenceEdge(0, 1)]);
        var latencies = BrickLatencies.FromResults([
            new BrickResult("x", "s", "c", EstimatorTests.Stats(2), null, DateTimeOffset.UnixEpoch),
            new BrickResult("y", "s", "c", null, "bad shape", DateTimeOffset.UnixEpoch)]);
        var text = EstimateTextWriter.ToText([new ModelEstimator().Estimate(recipe, latencies)]);
        Assert.Contains("m (G=1)", text);
        Assert.Contains("INCOMPLETE: 1 brick(s) missing", text);
        Assert.Contains("missing y (×1): failed: bad shape", text);
    }
}
