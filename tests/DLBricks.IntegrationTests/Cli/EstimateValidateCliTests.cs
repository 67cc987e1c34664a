using System.Text.Json;

namespace DLBricks.Tests.Cli;

public class EstimateValidateCliTests
{
    [Fact]
    public void EstimateNamesMissingBricksThenBenchMissingSucceeds()
    {
        using var temp = new TempFolder();
        var db = temp.File("r.db");
        var model = TestPaths.LightModel("squeezenet");

        var (code, firstOut, stderr) = CliProcess.Run("estimate", model, "--db", db, "--bench-missing", "--quick", "-g", "3", "--mode", "sequential");
        Assert.True(code == 0, stderr);
        // An empty store: nothing reused. Asked again, every brick is already measured and nothing is benchmarked.
        Assert.Contains("squeezenet: brick cache hit rate 0% (0 of ", firstOut);
        var (reuseCode, reuseOut, reuseErr) = CliProcess.Run("estimate", model, "--db", db, "--bench-missing", "--quick", "-g", "3", "--mode", "sequential");
        Assert.True(reuseCode == 0, reuseErr);
        Assert.Contains("squeezenet: brick cache hit rate 100%", reuseOut);
        Assert.DoesNotContain("benchmarking", reuseErr);

        // A model whose bricks are not in the store: listed, non-zero exit.
        var (missingCode, _, missingErr) = CliProcess.Run("estimate", TestPaths.LightModel("shufflenet"), "--db", db, "--quick", "-g", "3");
        Assert.Equal(1, missingCode);
        Assert.Contains("shufflenet", missingErr);
        Assert.Contains("not measured", missingErr);

        var json = temp.File("est.json");
        var (again, stdout, err) = CliProcess.Run("estimate", model, "--db", db, "--quick", "-g", "3", "--json", json);
        Assert.True(again == 0, err);
        Assert.Contains("sequential", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var estimate = doc.RootElement.GetProperty("models")[0].GetProperty("estimates")[0].GetProperty("estimate_ms").GetDouble();
        Assert.True(estimate > 0 && double.IsFinite(estimate));
    }

    [Fact]
    public void ValidateTwoSharedModelsWritesTheFixedJsonKeys()
    {
        using var temp = new TempFolder();
        var json = temp.File("v.json");
        var (code, _, stderr) = CliProcess.Run("validate", TestPaths.LightModel("squeezenet"), TestPaths.LightModel("shufflenet"),
            "-g", "1", "--quick", "--db", temp.File("r.db"), "--json", json, "--md", temp.File("v.md"), "--plots", temp.File("plots"),
            "-o", temp.File("report"), "--repeats", "2", "--no-profile");
        Assert.True(code == 0, stderr);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(2, models.Count);
        foreach (var m in models)
        {
            Assert.Contains(m.GetProperty("name").GetString(), new[] { "squeezenet", "shufflenet" });
            Assert.Equal(1, m.GetProperty("g").GetInt32());
            foreach (var key in new[] { "e2e_ms", "estimate_ms", "estimate_critical_path_ms", "normalized" })
            {
                var v = m.GetProperty(key).GetDouble();
                Assert.True(double.IsFinite(v) && v > 0, $"{key} = {v}");
            }
        }
        var summary = Assert.Single(doc.RootElement.GetProperty("summary").EnumerateArray());
        foreach (var key in new[] { "geomean_normalized", "min_normalized", "max_normalized", "speedup" })
            Assert.True(summary.GetProperty(key).GetDouble() > 0, key);
        Assert.True(File.Exists(temp.File("v.md")));
        Assert.NotEmpty(Directory.GetFiles(temp.File("plots"), "*.png"));
    }
}
