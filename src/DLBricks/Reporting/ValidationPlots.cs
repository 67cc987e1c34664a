using ScottPlot;

namespace DLBricks.Reporting;

/// <summary>
/// PNG figures equivalent to the paper's: Fig. 10 (normalized latency per model, one bar per G), Fig. 11 (benchmarking
/// speedup per G) and Fig. 12 (estimate against end-to-end latency, one series per G, with the y = x line).
/// </summary>
internal static class ValidationPlots
{
    /// <summary>File name of the Fig. 10 equivalent.</summary>
    public const string NormalizedFile = "fig10-normalized-latency.png";

    /// <summary>File name of the Fig. 11 equivalent.</summary>
    public const string SpeedupFile = "fig11-speedup.png";

    /// <summary>File name of the Fig. 12 equivalent.</summary>
    public const string ScatterFile = "fig12-estimate-vs-e2e.png";

    private const int Width = 1200;
    private const int Height = 600;

    /// <summary>Writes all three figures into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(ValidationReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        var paths = new[] { Path.Combine(folder, NormalizedFile), Path.Combine(folder, SpeedupFile), Path.Combine(folder, ScatterFile) };
        WriteNormalized(report, paths[0]);
        WriteSpeedup(report, paths[1]);
        WriteScatter(report, paths[2]);
        return paths;
    }

    /// <summary>Fig. 10: normalized latency (estimate / e2e) per model, grouped bars by G, reference line at 1.</summary>
    public static void WriteNormalized(ValidationReport report, string path)
    {
        var plot = new Plot();
        var models = report.Models.Select(r => r.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var gs = report.Models.Select(r => r.G).Distinct().Order().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var groupWidth = 0.8;
        var barWidth = groupWidth / Math.Max(1, gs.Count);

        var bars = new List<Bar>();
        for (var gi = 0; gi < gs.Count; gi++)
        {
            var color = palette.GetColor(gi);
            foreach (var row in report.Models.Where(r => r.G == gs[gi]))
            {
                var x = models.IndexOf(row.Model) - groupWidth / 2 + barWidth * (gi + 0.5);
                bars.Add(new Bar { Position = x, Value = Finite(row.Normalized), Size = barWidth * 0.95, FillColor = color });
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"G = {gs[gi]}", FillColor = color });
        }
        plot.Add.Bars(bars);
        var reference = plot.Add.HorizontalLine(1.0);
        reference.LinePattern = LinePattern.Dashed;
        reference.Color = Colors.Black;

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            models.Select((_, i) => (double)i).ToArray(), models.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 120;
        plot.Axes.Margins(bottom: 0);
        plot.Title("Normalized latency (brick estimate / end-to-end)");
        plot.YLabel("normalized latency");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>Fig. 11: benchmarking-time speedup per G.</summary>
    public static void WriteSpeedup(ValidationReport report, string path)
    {
        var plot = new Plot();
        var summary = report.Summary.OrderBy(s => s.G).ToList();
        var bars = summary.Select((s, i) => new Bar { Position = i, Value = Finite(s.Speedup), FillColor = Colors.SteelBlue, Size = 0.6 }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            summary.Select((_, i) => (double)i).ToArray(), summary.Select(s => $"G = {s.G}").ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title("Benchmarking-time speedup (Σ model latency / Σ unique brick latency)");
        plot.YLabel("speedup (×)");
        Save(plot, path);
    }

    /// <summary>Fig. 12: sequential estimate against end-to-end latency per model, one series per G, with y = x.</summary>
    public static void WriteScatter(ValidationReport report, string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var gs = report.Models.Select(r => r.G).Distinct().Order().ToList();
        for (var gi = 0; gi < gs.Count; gi++)
        {
            var rows = report.Models.Where(r => r.G == gs[gi]).ToList();
            var scatter = plot.Add.ScatterPoints(rows.Select(r => Finite(r.E2eMs)).ToArray(), rows.Select(r => Finite(r.EstimateMs)).ToArray());
            scatter.Color = palette.GetColor(gi);
            scatter.MarkerSize = 9;
            scatter.LegendText = $"G = {gs[gi]}";
        }
        var max = report.Models.Count == 0 ? 1 : report.Models.Max(r => Math.Max(Finite(r.E2eMs), Finite(r.EstimateMs))) * 1.05;
        var diagonal = plot.Add.Line(0, 0, max, max);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        diagonal.LegendText = "estimate = e2e";
        plot.Axes.SetLimits(0, max, 0, max);
        plot.Title("Brick estimate vs end-to-end latency");
        plot.XLabel("end-to-end latency (ms)");
        plot.YLabel("sequential estimate (ms)");
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, path);
    }

    private static void Save(Plot plot, string path) => AtomicFile.Write(path, temp => plot.SavePng(temp, Width, Height));

    // ScottPlot skips nothing for NaN bars, so undefined ratios are drawn as empty (0) instead of breaking the axis.
    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
