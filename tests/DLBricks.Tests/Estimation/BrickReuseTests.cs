using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Graph;
using DLBricks.Storage;

namespace DLBricks.Tests.Estimation;

/// <summary>The brick cache hit rate and time saved of a model against a store that holds another model's bricks.</summary>
public class BrickReuseTests
{
    private static readonly RunConfiguration Cpu = BenchmarkJob.Quick.Configuration("cpu", null, 1, 1, "sequential", "all");
    private static readonly SystemFingerprint System = new("Test CPU", 2, 16L << 30, "Linux test", ".NET 10.0.0", "1.31.1");

    private static string Model(string folder, string name, string last)
    {
        var m = new TinyModel().Input("x", 1, 32);
        m.Weight("w", 32, 32);
        m.Node("MatMul", ["x", "w"], ["a"]);
        m.Node("Relu", ["a"], ["b"]);
        m.Node("MatMul", ["b", "w"], ["c"]);
        m.Node(last, ["c"], ["y"]);
        m.Output("y");
        return m.Save(folder, name);
    }

    [Fact]
    public void Hits_count_the_other_models_stored_bricks_and_saved_time_is_their_measured_iterations()
    {
        using var temp = new TempFolder();
        var options = new SplitOptions { Granularity = 1, Source = LayerSourceOptions.Raw };
        var first = SplitRunner.SplitInMemory(Model(temp.Path, "first", "Relu"), options);
        var second = SplitRunner.SplitInMemory(Model(temp.Path, "second", "Sigmoid"), options);
        var firstHashes = first.Pieces.Select(p => p.Brick.Hash).Distinct().ToList();
        var secondHashes = second.Pieces.Select(p => p.Brick.Hash).Distinct().ToList();
        var shared = secondHashes.Intersect(firstHashes).ToList();
        Assert.InRange(shared.Count, 1, secondHashes.Count - 1); // the test needs both hits and misses

        using var store = new SqliteResultStore(temp.File("r.db"));
        store.RegisterSystem(System);
        store.RegisterConfiguration(Cpu);
        var means = new Dictionary<string, double>();
        for (var i = 0; i < firstHashes.Count; i++)
        {
            var mean = 0.5 + i;
            means[firstHashes[i]] = mean;
            store.Save(new BrickResult(firstHashes[i], System.Key, Cpu.Key,
                new LatencyStatistics(mean, mean, 0.01, mean, mean, mean, mean, mean, 40 + i, mean, mean), null, DateTimeOffset.UnixEpoch));
        }
        // A stored failure is no hit: the brick must be measured again.
        var failedOnly = secondHashes.Except(firstHashes).First();
        store.Save(new BrickResult(failedOnly, System.Key, Cpu.Key, null, "refused", DateTimeOffset.UnixEpoch));

        var stored = store.GetResults(System.Key, Cpu.Key);
        var reuse = BrickReuse.Of("second", second.Pieces.Select(p => p.Brick.Hash), stored);

        Assert.Equal(secondHashes.Count, reuse.UniqueBricks);
        Assert.Equal(shared.Count, reuse.AlreadyMeasured);
        Assert.Equal(secondHashes.Count - shared.Count, reuse.Missing);
        Assert.Equal((double)shared.Count / secondHashes.Count, reuse.HitRate, 12);
        var expectedMs = shared.Sum(h => means[h] * (40 + firstHashes.IndexOf(h)));
        Assert.Equal(expectedMs, reuse.SavedMeasuredMs, 9);
        Assert.Contains($"second: brick cache hit rate {BrickReuse.Percent(reuse.HitRate)} ({shared.Count} of {secondHashes.Count} unique bricks", reuse.ToString());

        var self = BrickReuse.Of("first", first.Pieces.Select(p => p.Brick.Hash), stored);
        Assert.Equal((firstHashes.Count, firstHashes.Count, 1.0), (self.UniqueBricks, self.AlreadyMeasured, self.HitRate));
        Assert.Equal(0, BrickReuse.Of("empty", [], stored).Missing);
    }
}
