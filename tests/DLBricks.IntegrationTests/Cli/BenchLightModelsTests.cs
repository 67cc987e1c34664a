using DLBricks.Export;
using DLBricks.Storage;
using DLBricks.Splitting;

namespace DLBricks.Tests.Cli;

public class BenchLightModelsTests
{
    [Fact]
    public void BenchingTwoSharedModelsStoresEveryBrickOnceAndRerunMeasuresNothing()
    {
        using var temp = new TempFolder();
        var split = temp.File("split");
        var db = temp.File("r.db");
        var (splitCode, _, splitErr) = CliProcess.Run("split", TestPaths.LightModel("squeezenet"), TestPaths.LightModel("shufflenet"), "-g", "1", "-o", split);
        Assert.True(splitCode == 0, splitErr);
        var catalog = BrickCatalog.Load(split);

        var (code, stdout, stderr) = CliProcess.Run("bench", split, "--db", db, "--quick");
        Assert.True(code == 0, stderr + stdout);

        using (var store = new SqliteResultStore(db))
        {
            var (system, configuration) = Assert.Single(store.ListSystems());
            var results = store.GetResults(system.Key, configuration.Key);
            Assert.Equal(catalog.Bricks.Select(b => b.Hash).Order(), results.Keys.Order());
            Assert.All(results.Values, r => Assert.True(r.Succeeded && r.Statistics!.Median > 0, r.Error));
            Assert.NotNull(store.GetCalibration(system.Key, configuration.Key));
        }

        var (again, againOut, againErr) = CliProcess.Run("bench", split, "--db", db, "--quick");
        Assert.True(again == 0, againErr);
        Assert.Contains($"{catalog.Bricks.Count} bricks: 0 measured, {catalog.Bricks.Count} already in the database", againOut);
    }
}
