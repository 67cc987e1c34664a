using DLBricks.Graph;
using DLBricks.Storage;
using DLBricks.Validation;

namespace DLBricks.Tests.Api;

public class ReadmeExampleTests
{
    /// <summary>The README's C# example, with the quick job so it stays fast; if this stops compiling, fix the README too.</summary>
    [Fact]
    public void ReadmeEstimateExampleWorks()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("x", 1, 64);
        m.Weight("w1", 64, 64);
        m.Weight("w2", 64, 64);
        m.Node("MatMul", ["x", "w1"], ["a"]);
        m.Node("Relu", ["a"], ["b"]);
        m.Node("MatMul", ["b", "w2"], ["c"]);
        m.Node("Relu", ["c"], ["y"]);
        m.Output("y");
        var modelPath = m.Save(temp.Path, "model");

        using var store = new SqliteResultStore(temp.File("dlbricks.db"));
        var engine = EngineMeasurement.WithDefaults(store, quick: true);
        var source = LayerSourceOptions.Default;
        var split = SplitRunner.SplitInMemory(modelPath, new SplitOptions { Granularity = 1, Source = source });
        var measured = EstimateRunner.BenchMissing(split, source.ToInfo(), engine, store);
        var estimate = EstimateRunner.Estimate(split.ToRecipe(source.ToInfo()), store, engine.System.Key, engine.Configuration.Key);

        Assert.True(measured.Missing >= 1);
        Assert.All(estimate.Estimates, e => Assert.True(e.IsComplete));
        Assert.True(estimate.Estimates[0].EstimateMs > 0);
        // Repeated MatMul+Relu: the second occurrence reuses the first brick, so a second call measures nothing.
        Assert.Equal(0, EstimateRunner.BenchMissing(split, source.ToInfo(), engine, store).Missing);
    }
}
