using System.Text.Json;
using DLBricks.Reporting;

namespace DLBricks.Tests.Reporting;

public class ReproducibilityReportTests
{
    private static ModelValidationRow Row(string model, int g, double e2e, double estimate, bool trustworthy = true) => new(
        model, g, e2e, 0.01, trustworthy, estimate, estimate, null, estimate / e2e, estimate / e2e, null, 3, 3, [], estimate, estimate / e2e);

    private static ValidationReport Report(params ModelValidationRow[] rows) =>
        new(DateTimeOffset.UnixEpoch, "median", 0.05, [], rows, [], null, []);

    [Fact]
    public void ReportsPerModelRunToRunSpreadOfBothSidesAndFlagsModelsOutsideTheTolerance()
    {
        // a: normalized 1.00, 1.02, 0.99 (median 1.00): within ±3 %. b: 1.0, 1.2, 1.1 (median 1.1): 0.1 / 1.1 ≈ 9 % off.
        var runs = new[]
        {
            Report(Row("a", 1, 10, 10), Row("b", 1, 4, 4)),
            Report(Row("a", 1, 10, 10.2), Row("b", 1, 5, 6, trustworthy: false)),
            Report(Row("a", 1, 10, 9.9), Row("b", 1, 4, 4.4)),
        };

        var report = ReproducibilityReport.Build(runs, tolerance: 0.03);

        var a = Assert.Single(report.Rows, r => r.Model == "a");
        Assert.Equal([1.0, 1.02, 0.99], a.Normalized.Select(n => Math.Round(n, 6)));
        Assert.Equal(1.0, a.NormalizedMedian, 6);
        Assert.Equal(0.03, a.NormalizedSpread, 6);
        Assert.Equal(0.0, a.E2eSpread, 6);
        Assert.Equal((10.2 - 9.9) / 10, a.EstimateSpread, 6);
        Assert.True(a.Reproducible);

        var b = Assert.Single(report.Rows, r => r.Model == "b");
        Assert.Equal(1.1, b.NormalizedMedian, 6);
        Assert.Equal(0.1 / 1.1, b.MaxDeviation, 6);
        Assert.Equal(0.25, b.E2eSpread, 6);
        Assert.False(b.Reproducible);

        var summary = Assert.Single(report.Summary);
        Assert.Equal((1, 2, 1), (summary.G, summary.Models, summary.Reproducible));
        Assert.Equal([0, 1, 0], summary.UntrustworthyPerRun);
        // Run 2: errors 0.02 and 0.2 → geomean sqrt(0.004).
        Assert.Equal(Math.Sqrt(0.02 * 0.2), summary.GeomeanErrorPerRun[1], 6);
        Assert.Equal(Math.Sqrt(1e-6 * 0.1), summary.GeomeanErrorOfMedians, 6);
    }

    [Fact]
    public void AModelMissingFromOneRunIsLeftOutAndOneRunIsRefused()
    {
        var report = ReproducibilityReport.Build([Report(Row("a", 1, 10, 10), Row("c", 1, 1, 1)), Report(Row("a", 1, 10, 10))]);
        Assert.Equal(["a"], report.Rows.Select(r => r.Model));
        Assert.Throws<ArgumentException>(() => ReproducibilityReport.Build([Report(Row("a", 1, 10, 10))]));
    }

    [Fact]
    public void JsonAndMarkdownCarryTheRunToRunSection()
    {
        var runs = new[] { Report(Row("a", 1, 10, 10)), Report(Row("a", 1, 10, 12)) };
        var report = runs[0] with { Reproducibility = ReproducibilityReport.Build(runs) };

        using var json = JsonDocument.Parse(ValidationReportJsonWriter.ToJson(report));
        var row = json.RootElement.GetProperty("reproducibility").GetProperty("rows")[0];
        Assert.Equal(2, row.GetProperty("normalized").GetArrayLength());
        Assert.False(row.GetProperty("reproducible").GetBoolean());

        var md = ValidationReportMarkdownWriter.ToMarkdown(report);
        Assert.Contains("## Run to run", md, StringComparison.Ordinal);
        Assert.Contains("| a | 1 | 1, 1.2 | 1.1 | 18.2% | 0.0% | 18.2% | no ⚠ |", md, StringComparison.Ordinal);
        Assert.DoesNotContain("## Run to run", ValidationReportMarkdownWriter.ToMarkdown(runs[0]), StringComparison.Ordinal);
    }
}
