using System.Text.Json;

namespace DLBricks.Tests.Cli;

public class InspectCommandTests
{
    [Fact]
    public void InspectReportsRepetitionJsonAndHeatmap()
    {
        using var temp = new TempFolder();
        var json = temp.File("stats.json");
        var png = temp.File("jaccard.png");
        var (code, stdout, stderr) = CliProcess.Run("inspect", TestPaths.LightModel("resnet50"), TestPaths.LightModel("squeezenet"), "--json", json, "--plot", png, "--source", "raw");
        Assert.True(code == 0, stderr);
        Assert.Contains("across models", stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var models = doc.RootElement.GetProperty("models");
        var resnet = models[0];
        Assert.Equal("resnet50", resnet.GetProperty("model").GetString());
        // ResNet-50 repeats its bottleneck blocks: far fewer distinct layers than layers.
        Assert.True(resnet.GetProperty("unique_layers").GetInt32() < resnet.GetProperty("layers").GetInt32() / 2);
        Assert.Equal(1.0, doc.RootElement.GetProperty("jaccard")[0][0].GetDouble());
        var header = File.ReadAllBytes(png)[..8];
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, header);
    }
}
