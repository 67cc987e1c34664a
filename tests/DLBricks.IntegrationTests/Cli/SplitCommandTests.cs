using DLBricks.Splitting;
namespace DLBricks.Tests.Cli;

public class SplitCommandTests
{
    [Fact]
    public void SplitWritesCatalogBricksAndRecipes()
    {
        using var temp = new TempFolder();
        var output = temp.File("out");
        var (code, stdout, stderr) = CliProcess.Run("split", TestPaths.LightModel("squeezenet"), TestPaths.LightModel("resnet50"), "-g", "2", "-o", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("unique bricks", stdout);
        var catalog = DLBricks.Splitting.BrickCatalog.Load(output);
        Assert.NotEmpty(catalog.Bricks);
        Assert.All(catalog.Bricks, b => Assert.True(File.Exists(Path.Combine(output, b.File))));
        Assert.True(File.Exists(Path.Combine(output, "recipes", "squeezenet.json")));
        Assert.True(File.Exists(Path.Combine(output, "recipes", "resnet50.json")));
    }

    [Fact]
    public void OnlyModelBadPrintsOneLineExitsNonZeroAndWritesNothing()
    {
        using var temp = new TempFolder();
        var bad = temp.File("broken.onnx");
        File.WriteAllBytes(bad, File.ReadAllBytes(TestPaths.LightModel("squeezenet"))[..1000]);
        var output = temp.File("out");

        // With a good model beside it the good one is written and the split exits 1 (HostileFilesCliTests); alone, nothing is.
        var (code, stdout, stderr) = CliProcess.Run("split", bad, "-g", "1", "-o", output);

        Assert.NotEqual(0, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));
        Assert.Contains("broken.onnx", line);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetDirectories(temp.Path));
    }

    [Fact]
    public void MissingDimValueNamesTheOption()
    {
        using var temp = new TempFolder();
        var m = new TinyModel().Input("image", "batch", 3, "side", "side");
        m.Node("Relu", ["image"], ["y"]);
        m.Output("y");
        var path = m.Save(temp.Path, "dyn");

        var (code, _, stderr) = CliProcess.Run("split", path, "-o", temp.File("out"));
        Assert.Equal(2, code);
        Assert.Contains("--dim side=N", stderr);

        var (ok, _, err) = CliProcess.Run("split", path, "-o", temp.File("out"), "--dim", "dyn:side=16");
        Assert.True(ok == 0, err);
    }
}
