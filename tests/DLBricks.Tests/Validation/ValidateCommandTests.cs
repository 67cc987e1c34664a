using System.Text.Json;
using DLBricks.Cli;
using DLBricks.Cli.Commands;

namespace DLBricks.Tests.Validation;

public class ValidateCommandTests
{
    [Fact]
    public void WritesReportAndFiguresForATinyModel()
    {
        var model = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var output = Path.Combine(Path.GetDirectoryName(model)!, "report");

        Directory.CreateDirectory(output + "-db");
        var exit = ValidateCommand.Create().Parse([model, "-g", "1,2", "-o", output, "--repeats", "2", "--quick", "--no-profile", "--db", Path.Combine(output + "-db", "r.db")]).Invoke();

        Assert.Equal(ExitCodes.Success, exit);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "validation.json")));
        Assert.Equal(2, json.RootElement.GetProperty("models").GetArrayLength());
        Assert.Equal(2, json.RootElement.GetProperty("summary").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(output, "fig10-normalized-latency.png")));
    }

    [Fact]
    public void BadOptionsAreOneErrorAndNoReport()
    {
        var model = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var output = Path.Combine(Path.GetDirectoryName(model)!, "report");
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "-g", "0", "-o", output]).Invoke());
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "-g", "x", "-o", output]).Invoke());
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "--repeats", "1", "-o", output]).Invoke());
        Assert.False(Directory.Exists(output));
    }
}
