using DLBricks.Benchmarking;
using DLBricks.Export;
using DLBricks.Storage;
using DLBricks.Tests.Estimation;
using DLBricks.Validation;
using DLBricks.Splitting;

namespace DLBricks.Tests.Validation;

public class InterleavedValidationTests
{
    private static ModelRecipe Chain(string model, int g, params string[] hashes) => new(
        model, g, LayerSourceInfo.Raw, hashes.Length, hashes.Length, hashes.Distinct().Count(),
        hashes.Select((h, i) => new BrickOccurrence(i, h, i, 1)).ToList(),
        Enumerable.Range(1, hashes.Length - 1).Select(i => new OccurrenceEdge(i - 1, i)).ToList());

    [Fact]
    public void EndToEndIsInterleavedWithBricksAndSharedBricksAreMeasuredOnce()
    {
        var log = new List<string>();
        var e2e = new Queue<double>([10.0, 10.2, 9.9, 20.0, 26.0, 20.0]);
        var validation = new InterleavedValidation(
            model => { log.Add("e2e " + model.Name); return EstimatorTests.Stats(e2e.Dequeue()); },
            hashes =>
            {
                log.Add("bricks " + string.Join(",", hashes));
                return hashes.ToDictionary(h => h, h => new BrickResult(h, "s", "c", EstimatorTests.Stats(1), null, DateTimeOffset.UnixEpoch));
            });
        var plan = new ValidationPlan(
        [
            new ValidationModel("a", "a.onnx", [Chain("a", 1, "x", "y", "z", "w")]),
            new ValidationModel("b", "b.onnx", [Chain("b", 1, "x", "v")]),
        ]);

        var run = validation.Run(plan);

        Assert.Equal(
        [
            "e2e a", "bricks x,y", "e2e a", "bricks z,w", "e2e a",
            "e2e b", "e2e b", "bricks v", "e2e b",
        ], log);
        Assert.Equal(5, run.Bricks.Count);
        Assert.Equal(5, run.Timing.BricksMeasured);
        Assert.Equal(6, run.Timing.EndToEndMeasurements);

        var a = run.EndToEnd[0];
        Assert.Equal(10.0, a.MedianMs, 9);
        Assert.Equal(0.03, a.Spread, 9);
        Assert.True(a.Trustworthy);
        var b = run.EndToEnd[1];
        Assert.Equal(20.0, b.MedianMs, 9);
        Assert.Equal(0.3, b.Spread, 9);
        Assert.False(b.Trustworthy);
    }

    [Fact]
    public void PlanRejectsSingleRepeatAndDuplicates()
    {
        var validation = new InterleavedValidation(_ => EstimatorTests.Stats(1), _ => new Dictionary<string, BrickResult>());
        var model = new ValidationModel("a", "a.onnx", [Chain("a", 1, "x")]);
        Assert.Throws<ArgumentOutOfRangeException>(() => validation.Run(new ValidationPlan([model], EndToEndRepeats: 1)));
        Assert.Throws<ArgumentException>(() => validation.Run(new ValidationPlan([model, model])));
    }

    [Fact]
    public void SlicesCoverEveryItemOnce()
    {
        var items = Enumerable.Range(0, 7).Select(i => i.ToString()).ToList();
        var slices = InterleavedValidation.Slice(items, 3);
        Assert.Equal(3, slices.Count);
        Assert.Equal(items, slices.SelectMany(s => s));
        Assert.All(slices, s => Assert.InRange(s.Count, 2, 3));
    }
}
