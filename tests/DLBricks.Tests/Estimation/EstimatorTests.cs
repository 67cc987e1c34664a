using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Storage;
using DLBricks.Splitting;

namespace DLBricks.Tests.Estimation;

public class EstimatorTests
{
    internal static LatencyStatistics Stats(double median, double? mean = null) =>
        new(mean ?? median, median, 0.1, median * 1.1, median * 1.2, median * 0.9, median * 1.1, median, 30, median * 0.8, median * 1.5);

    // Diamond: 0 → {1, 2} → 3. Sequential sums all four; the critical path skips the cheaper branch.
    internal static ModelRecipe Diamond(IReadOnlyList<BrickWindow>? windows = null) => new(
        "diamond", 2, LayerSourceInfo.Raw, 8, 4, 3,
        [
            new BrickOccurrence(0, "stem", 0, 2),
            new BrickOccurrence(1, "wide", 2, 2),
            new BrickOccurrence(2, "thin", 4, 2),
            new BrickOccurrence(3, "stem", 6, 2),
        ],
        [new OccurrenceEdge(0, 1), new OccurrenceEdge(0, 2), new OccurrenceEdge(1, 3), new OccurrenceEdge(2, 3)],
        windows);

    private static BrickLatencies DiamondLatencies() => BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
    {
        ["stem"] = Stats(1.0), ["wide"] = Stats(5.0), ["thin"] = Stats(2.0),
    });

    [Fact]
    public void SequentialSumsEveryOccurrence()
    {
        var estimate = new SequentialEstimator().Estimate(Diamond(), DiamondLatencies(), EstimateOptions.Default);

        Assert.Equal(9.0, estimate.EstimateMs, 9);
        Assert.Equal(4, estimate.BrickRuns);
        Assert.Equal(3, estimate.UniqueBricksUsed);
        Assert.True(estimate.IsComplete);
        Assert.Equal(LatencyStatistic.Median, estimate.Statistic);
        // Top contributor first; the twice-used stem brick counts twice and ties with thin (2 ms), ties by hash.
        Assert.Equal(["wide", "stem", "thin"], estimate.Breakdown.Select(b => b.Hash));
        var stem = estimate.Breakdown.Single(b => b.Hash == "stem");
        Assert.Equal(2, stem.Occurrences);
        Assert.Equal(2.0, stem.TotalMs, 9);
        Assert.Equal(2.0 / 9.0, stem.Share, 9);
        Assert.Equal(1.0, estimate.Breakdown.Sum(b => b.Share), 9);
    }

    [Fact]
    public void CriticalPathOfDiamondIsShorterThanSequential()
    {
        var latencies = DiamondLatencies();
        var sequential = new SequentialEstimator().Estimate(Diamond(), latencies, EstimateOptions.Default);
        var critical = new CriticalPathEstimator().Estimate(Diamond(), latencies, EstimateOptions.Default);

        Assert.Equal(7.0, critical.EstimateMs, 9);
        Assert.True(critical.EstimateMs < sequential.EstimateMs);
        Assert.Equal([0, 1, 3], critical.Path);
        Assert.Equal(3, critical.BrickRuns);
    }

    [Fact]
    public void CriticalPathOfChainEqualsSequential()
    {
        var chain = Diamond() with { Edges = [new OccurrenceEdge(0, 1), new OccurrenceEdge(1, 2), new OccurrenceEdge(2, 3)] };
        var latencies = DiamondLatencies();
        Assert.Equal(
            new SequentialEstimator().Estimate(chain, latencies, EstimateOptions.Default).EstimateMs,
            new CriticalPathEstimator().Estimate(chain, latencies, EstimateOptions.Default).EstimateMs, 9);
    }

    [Fact]
    public void CriticalPathRejectsCyclesAndUnknownOccurrences()
    {
        var cyclic = Diamond() with { Edges = [new OccurrenceEdge(0, 1), new OccurrenceEdge(1, 0)] };
        var cycle = Assert.Throws<InvalidDataException>(() => new CriticalPathEstimator().Estimate(cyclic, DiamondLatencies(), EstimateOptions.Default));
        Assert.Contains("cycle", cycle.Message);

        var dangling = Diamond() with { Edges = [new OccurrenceEdge(0, 9)] };
        var unknown = Assert.Throws<InvalidDataException>(() => new CriticalPathEstimator().Estimate(dangling, DiamondLatencies(), EstimateOptions.Default));
        Assert.Contains("unknown occurrence", unknown.Message);
    }

    [Fact]
    public void StatisticIsSelectable()
    {
        var latencies = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = Stats(1.0, mean: 1.5), ["wide"] = Stats(5.0, mean: 6.0), ["thin"] = Stats(2.0, mean: 2.5),
        });
        var estimate = new SequentialEstimator().Estimate(Diamond(), latencies, new EstimateOptions(LatencyStatistic.Mean));
        Assert.Equal(LatencyStatistic.Mean, estimate.Statistic);
        Assert.Equal(1.5 + 6.0 + 2.5 + 1.5, estimate.EstimateMs, 9);
    }

    [Fact]
    public void MissingBricksAreNamedWithTheirReason()
    {
        var results = new[]
        {
            new BrickResult("stem", "sys", "cfg", Stats(1.0), null, DateTimeOffset.UnixEpoch),
            new BrickResult("wide", "sys", "cfg", null, "Conv: unsupported auto_pad", DateTimeOffset.UnixEpoch),
        };
        var estimate = new SequentialEstimator().Estimate(Diamond(), BrickLatencies.FromResults(results), EstimateOptions.Default);

        Assert.False(estimate.IsComplete);
        Assert.Equal(2.0, estimate.EstimateMs, 9);
        Assert.Equal(1, estimate.UniqueBricksUsed);
        Assert.Equal(2, estimate.Missing.Count);
        var wide = estimate.Missing.Single(m => m.Hash == "wide");
        Assert.Equal("failed: Conv: unsupported auto_pad", wide.Reason);
        Assert.Equal("not measured", estimate.Missing.Single(m => m.Hash == "thin").Reason);

        var critical = new CriticalPathEstimator().Estimate(Diamond(), BrickLatencies.FromResults(results), EstimateOptions.Default);
        Assert.Equal(["thin", "wide"], critical.Missing.Select(m => m.Hash).Order());
    }

    [Fact]
    public void OverlapCoverPicksTheCheaperCover()
    {
        // Layers 0..7. Occurrence cover costs 9; a window "fused" over layers 2..5 replaces wide+thin (7 ms) with 3 ms.
        var recipe = Diamond([new BrickWindow(2, 4, "fused"), new BrickWindow(0, 4, "pricey")]);
        var latencies = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = Stats(1.0), ["wide"] = Stats(5.0), ["thin"] = Stats(2.0), ["fused"] = Stats(3.0), ["pricey"] = Stats(0.5),
        });
        var estimate = new OverlapCoverEstimator().Estimate(recipe, latencies, EstimateOptions.Default);

        // Candidates: stem+wide+thin+stem = 9, stem+fused+stem = 5, pricey+thin+stem = 3.5.
        Assert.Equal(3.5, estimate.EstimateMs, 9);
        Assert.Equal([0, 4, 6], estimate.Path);
        Assert.Equal(3, estimate.BrickRuns);

        var withoutPricey = BrickLatencies.FromStatistics(new Dictionary<string, LatencyStatistics>
        {
            ["stem"] = Stats(1.0), ["wide"] = Stats(5.0), ["thin"] = Stats(2.0), ["fused"] = Stats(3.0),
        });
        var fallback = new OverlapCoverEstimator().Estimate(recipe, withoutPricey, EstimateOptions.Default);
        // The unmeasured window is avoided rather than counted as free.
        Assert.Equal(5.0, fallback.EstimateMs, 9);
        Assert.True(fallback.IsComplete);
        Assert.Equal([0, 2, 6], fallback.Path);
    }

    [Fact]
    public void OverlapNeedsWindowsAndRejectsWindowsOutsideTheModel()
    {
        Assert.False(new OverlapCoverEstimator().CanEstimate(Diamond()));
        var bad = Diamond([new BrickWindow(6, 4, "over")]);
        Assert.Throws<InvalidDataException>(() => new OverlapCoverEstimator().Estimate(bad, DiamondLatencies(), EstimateOptions.Default));
    }

    [Fact]
    public void ModelEstimatorRunsOnlyApplicableModes()
    {
        var plain = new ModelEstimator().Estimate(Diamond(), DiamondLatencies());
        Assert.Equal([EstimationMode.Sequential, EstimationMode.CriticalPath], plain.Estimates.Select(e => e.Mode));
        Assert.Null(plain.Get(EstimationMode.OverlapCover));

        var overlapping = new ModelEstimator().Estimate(Diamond([new BrickWindow(2, 4, "fused")]), DiamondLatencies());
        Assert.Equal(3, overlapping.Estimates.Count);
        // The unmeasured window is not used, so the cover falls back to the occurrences.
        var cover = overlapping.Get(EstimationMode.OverlapCover)!;
        Assert.True(cover.IsComplete);
        Assert.Equal(overlapping.Get(EstimationMode.Sequential)!.EstimateMs, cover.EstimateMs, 9);
    }
}
