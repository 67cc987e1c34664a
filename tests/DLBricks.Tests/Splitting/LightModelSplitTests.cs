using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Benchmarking;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;
using DLBricks.Splitting;

namespace DLBricks.Tests.Splitting;

public class LightModelSplitTests
{
    public static IEnumerable<object[]> Cases() =>
        from name in TestPaths.AllLightModels from g in new[] { 1, 2, 3, 6 } select new object[] { name, g };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryExportedBrickLoadsAndRuns(string name, int g)
    {
        var output = Path.Combine(Path.GetTempPath(), $"dlbricks-split-{name}-{g}-{Guid.NewGuid():N}");
        try
        {
            var result = SplitRunner.Run([TestPaths.LightModel(name)], new SplitOptions { Granularity = g, Source = LayerSourceOptions.Raw }, output);
            var model = Assert.Single(result.Models);
            var graph = LayerGraphBuilder.Build(TestPaths.LightModel(name));
            Assert.Equal(graph.Layers.Count, model.Layers);
            // The occurrences cover every layer exactly once, in order, with at most G layers each.
            var covered = 0;
            foreach (var o in model.Recipe.Occurrences)
            {
                Assert.Equal(covered, o.FirstLayer);
                Assert.InRange(o.LayerCount, 1, g);
                covered += o.LayerCount;
            }
            Assert.Equal(model.Layers, covered);

            var catalog = BrickCatalog.Load(output);
            Assert.Equal(model.Recipe.Occurrences.Select(o => o.Hash).Distinct().Order(), catalog.Bricks.Select(b => b.Hash).Order());
            foreach (var brick in catalog.Bricks)
                RunOnce(Path.Combine(output, brick.File), brick);
            Assert.False(Directory.Exists(Path.Combine(output, "bricks", "recipes")));
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    public static IEnumerable<object[]> OptimizedCases() =>
        from name in new[] { "resnet50", "squeezenet", "inception_v2", "shufflenet" } from g in new[] { 1, 3 } select new object[] { name, g };

    [Theory]
    [MemberData(nameof(OptimizedCases))]
    public void OptimizedSourceBricksLoadAndRunWithoutReoptimization(string name, int g)
    {
        using var temp = new TempFolder();
        var result = SplitRunner.Run([TestPaths.LightModel(name)], new SplitOptions { Granularity = g }, temp.File("out"));
        var catalog = BrickCatalog.Load(temp.File("out"));
        Assert.Equal(new LayerSourceInfo("optimized", "all") { Provider = "cpu" }, catalog.Source);
        // The runtime's own fusions are layers now: fewer layers than the raw graph, e.g. no separate BatchNormalization.
        Assert.True(result.Models[0].Layers < LayerGraphBuilder.Build(TestPaths.LightModel(name)).Layers.Count);
        Assert.DoesNotContain(catalog.Bricks, b => b.OpTypes.Contains("BatchNormalization"));
        foreach (var brick in catalog.Bricks)
            RunOnce(Path.Combine(temp.File("out"), brick.File), brick, GraphOptimizationLevel.ORT_DISABLE_ALL);
    }

    /// <summary>Runs a brick once through the product's own run path (IOBinding with outputs pre-allocated from the catalog's shapes, so a wrong shape fails).</summary>
    internal static void RunOnce(string path, BrickEntry brick, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        var configuration = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", level == GraphOptimizationLevel.ORT_DISABLE_ALL ? "disabled" : "all");
        using var runner = OnnxModelRunner.Open(path, configuration, brick.Inputs, brick.Outputs, SyntheticInputs.SeedFrom(brick.Hash));
        runner.Run();
        Assert.Equal(brick.Inputs.Select(i => i.Name), runner.Inputs.Select(i => i.Name));
    }
}
