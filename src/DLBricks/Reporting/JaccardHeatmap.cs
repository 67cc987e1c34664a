using DLBricks.Splitting;

namespace DLBricks.Reporting;

/// <summary>Draws the Jaccard similarity grid of models' layer sets as a PNG heatmap (the paper's Figure 7).</summary>
internal static class JaccardHeatmap
{
    /// <summary>Writes the heatmap of <paramref name="statistics"/> to <paramref name="pngPath"/>.</summary>
    public static void Save(RepetitionStatistics statistics, string pngPath)
    {
        var n = statistics.Models.Count;
        var data = new double[n, n];
        // ScottPlot draws row 0 at the top; flip so model 0 sits at the bottom-left like a matrix plot's axes.
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                data[n - 1 - i, j] = statistics.Jaccard[i][j];
        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var labels = statistics.Models.Select(m => m.Model).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;
        plot.Title("Jaccard similarity of models' layer sets");
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var text = plot.Add.Text(statistics.Jaccard[i][j].ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), j, i);
                text.LabelFontColor = statistics.Jaccard[i][j] > 0.6 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
                text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                text.LabelFontSize = n > 12 ? 8 : 11;
            }
        var size = Math.Max(500, 60 * n + 250);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        plot.SavePng(pngPath, size + 100, size);
    }
}
