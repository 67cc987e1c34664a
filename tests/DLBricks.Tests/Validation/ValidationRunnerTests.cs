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
        var quick = new ScenarioMeasurer(new ScenarioSessionOptions(IntraOpThreads: 1), new ScenarioOptions(MinQueries: 5, WarmupQueries: 1));
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
}
