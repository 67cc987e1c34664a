using DLBricks.Graph;

namespace DLBricks.Tests.Splitting;

/// <summary>Splitting several G values in one pass, several models at once and from the graph cache writes what serial runs write.</summary>
public class ParallelSplitTests
{
    [Fact]
    public void Parallel_multi_G_and_cached_splits_write_the_serial_folders_byte_for_byte()
    {
        using var temp = new TempFolder();
        var tiny = new TinyModel().Input("x", 1, 32);
        tiny.Weight("w", 32, 32);
        tiny.Node("MatMul", ["x", "w"], ["a"]);
        tiny.Node("Relu", ["a"], ["b"]);
        tiny.Node("MatMul", ["b", "w"], ["c"]);
        tiny.Node("Sigmoid", ["c"], ["y"]);
        tiny.Output("y");
        string[] models = [TestPaths.LightModel("squeezenet"), TestPaths.LightModel("shufflenet"), tiny.Save(temp.Path, "tiny")];
        int[] gs = [1, 3];

        foreach (var g in gs)
            SplitRunner.Run(models, new SplitOptions { Granularity = g, Jobs = 1 }, temp.File($"serial/g{g}"));
        var cache = new GraphCache(temp.File("cache"));
        var parallel = SplitRunner.Run(models, new SplitOptions { Jobs = 3, Cache = cache }, gs, g => temp.File($"parallel/g{g}"));
        Assert.Equal((0, 3), (cache.Hits, cache.Misses));
        SplitRunner.Run(models, new SplitOptions { Jobs = 2, Cache = cache }, gs, g => temp.File($"cached/g{g}"));
        Assert.Equal((3, 3), (cache.Hits, cache.Misses));

        Assert.Equal(["squeezenet", "shufflenet", "tiny"], parallel[0].Models.Select(m => m.Model));
        var serial = Files(temp.File("serial"));
        Assert.True(serial.Count > 10);
        Assert.Equal(serial, Files(temp.File("parallel")));
        Assert.Equal(serial, Files(temp.File("cached")));
    }

    /// <summary>Every file under <paramref name="root"/> with the SHA-256 of its bytes, by relative path.</summary>
    private static SortedDictionary<string, string> Files(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(root, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))),
            StringComparer.Ordinal);
}
