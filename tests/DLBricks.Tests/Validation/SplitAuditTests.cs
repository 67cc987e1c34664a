using DLBricks.Benchmarking;
using DLBricks.Graph;
using DLBricks.Validation;

namespace DLBricks.Tests.Validation;

/// <summary>The split audit on real zoo models: every G, every brick run once, failures named.</summary>
public class SplitAuditTests
{
    [Fact]
    public void Every_brick_of_two_zoo_models_runs_at_G_1_to_6()
    {
        var models = new[] { "squeezenet", "shufflenet" }
            .Select(n => new SplitAuditModel(n, TestPaths.LightModel(n), ModelInputBindings.None)).ToList();
        var lines = new List<string>();

        var report = SplitAudit.Run(models, new SplitAuditOptions(), new SynchronousProgress(lines.Add));

        Assert.True(report.AllPassed, string.Join("\n", report.Failures.Select(f => f.Message)));
        Assert.Equal(12, report.Rows.Count);
        foreach (var model in report.Rows.GroupBy(r => r.Model))
        {
            Assert.Equal([1, 2, 3, 4, 5, 6], model.Select(r => r.G));
            var layers = model.First().Layers;
            Assert.Equal(layers, model.Single(r => r.G == 1).Bricks);
            foreach (var row in model)
            {
                // Algorithm 1 takes at most G layers per brick, so at least ceil(layers / G) bricks; never more bricks than layers.
                Assert.InRange(row.Bricks, (layers + row.G - 1) / row.G, layers);
                Assert.InRange(row.UniqueBricks, 1, row.Bricks);
                Assert.Equal(0, row.FailedBricks);
            }
            Assert.True(model.Single(r => r.G == 6).Bricks < model.Single(r => r.G == 1).Bricks);
        }
        // The second model only brings bricks the first lacked; every distinct brick ran exactly once across all G.
        foreach (var g in Enumerable.Range(1, 6))
            Assert.Equal(report.UniqueBricksAt(g), report.Rows.Where(r => r.G == g).Sum(r => r.NewBricks));
        Assert.InRange(report.BricksRun, report.UniqueBricksAt(1), Enumerable.Range(1, 6).Sum(report.UniqueBricksAt));
        Assert.Contains(lines, l => l.StartsWith("shufflenet: G=6 ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_truncated_model_is_one_failure_naming_it_and_the_others_go_on()
    {
        var folder = Path.Combine(Path.GetTempPath(), "dlbricks-audit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var bytes = File.ReadAllBytes(TestPaths.LightModel("squeezenet"));
            var broken = Path.Combine(folder, "broken.onnx");
            File.WriteAllBytes(broken, bytes[..(bytes.Length / 2)]);
            var models = new[]
            {
                new SplitAuditModel("broken", broken, ModelInputBindings.None),
                new SplitAuditModel("squeezenet", TestPaths.LightModel("squeezenet"), ModelInputBindings.None),
            };

            var report = SplitAudit.Run(models, new SplitAuditOptions { Granularities = [1, 3] });

            var failure = Assert.Single(report.Failures);
            Assert.Equal("broken", failure.Model);
            Assert.Null(failure.BrickHash);
            Assert.Contains("broken.onnx", failure.Message);
            Assert.Equal(["squeezenet"], report.Rows.Select(r => r.Model).Distinct());
            Assert.False(report.AllPassed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Cuda_without_a_cuda_build_stops_before_any_model_is_read()
    {
        var options = new SplitAuditOptions { Configuration = BenchmarkJob.Quick.Configuration("cuda", 0, 1, 0, "sequential", "all") };
        var models = new[] { new SplitAuditModel("missing", "/nonexistent/model.onnx", ModelInputBindings.None) };

        Assert.Throws<ExecutionProviderUnavailableException>(() => SplitAudit.Run(models, options));
    }

    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
