using DLBricks.Benchmarking;
using DLBricks.Export;
using DLBricks.Validation;
using DLBricks.Splitting;

namespace DLBricks.Tests.Validation;

public class ScenarioMeasurerTests
{
    [Fact]
    public void StatisticsOfKnownSamples()
    {
        // 1..10: mean 5.5, median 5.5, trimmed (drop 2 each end) mean of 3..8 = 5.5, P90 = 9 (nearest rank), P95 = 10.
        var stats = ScenarioEngine.Statistics([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
        Assert.Equal(5.5, stats.Mean, 12);
        Assert.Equal(5.5, stats.Median, 12);
        Assert.Equal(5.5, stats.TrimmedMean, 12);
        Assert.Equal(9, stats.P90);
        Assert.Equal(10, stats.P95);
        Assert.Equal(Math.Sqrt(55.0 / 6), stats.StdDev, 12);
        Assert.True(stats.CiLower < 5.5 && stats.CiUpper > 5.5);
        Assert.Equal(10, stats.N);
        Assert.Equal((1.0, 10.0), (stats.Min, stats.Max));

        var skewed = ScenarioEngine.Statistics([1, 1, 1, 1, 100]);
        Assert.Equal(1, skewed.Median);
        Assert.Equal(1, skewed.TrimmedMean);
    }

    [Fact]
    public void MeasuresABrickAndReportsABrokenOneAsAFailure()
    {
        var folder = Path.GetDirectoryName(TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "good"))!;
        File.WriteAllBytes(Path.Combine(folder, "bad.onnx"), [0, 1, 2]);
        var measurer = new ScenarioMeasurer(ScenarioEngine.Configuration(intraOpThreads: 1), new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
        BrickEntry Entry(string hash, string file) => new(hash, file, ["MatMul"], 1, [new BrickTensor("X", "float", [1, 4])], [], 0, 0, 0);

        var good = measurer.MeasureBrick(folder, Entry("g", "good.onnx"), "s", "c");
        Assert.True(good.Succeeded);
        Assert.Equal(5, good.Statistics!.N);

        var bad = measurer.MeasureBrick(folder, Entry("b", "bad.onnx"), "s", "c");
        Assert.False(bad.Succeeded);
        Assert.Contains("bad.onnx", bad.Error);
    }
}
