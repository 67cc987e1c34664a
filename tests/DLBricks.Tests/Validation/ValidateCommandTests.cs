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
    public void RunsTwiceAndWritesTheRunToRunSection()
    {
        var model = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var output = Path.Combine(Path.GetDirectoryName(model)!, "report");

        Directory.CreateDirectory(output + "-db");
        var exit = ValidateCommand.Create().Parse([model, "-g", "1", "-o", output, "--repeats", "2", "--runs", "2", "--statistic", "p10", "--quick",
            "--no-profile", "--db", Path.Combine(output + "-db", "r.db")]).Invoke();

        Assert.Equal(ExitCodes.Success, exit);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "validation.json")));
        Assert.Equal("p10", json.RootElement.GetProperty("statistic").GetString());
        var reproducibility = json.RootElement.GetProperty("reproducibility");
        Assert.Equal(2, reproducibility.GetProperty("runs").GetInt32());
        var row = reproducibility.GetProperty("rows")[0];
        Assert.All(row.GetProperty("normalized").EnumerateArray(), n => Assert.True(n.GetDouble() > 0));
        Assert.Contains("## Run to run", File.ReadAllText(Path.Combine(output, "validation.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void BadOptionsAreOneErrorAndNoReport()
    {
        var model = TinyModels.WriteTemp(TinyModels.MatMulRelu(batch: 1), "tiny");
        var output = Path.Combine(Path.GetDirectoryName(model)!, "report");
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "-g", "0", "-o", output]).Invoke());
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "-g", "x", "-o", output]).Invoke());
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "--repeats", "1", "-o", output]).Invoke());
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "--runs", "0", "-o", output]).Invoke());
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "--run-tolerance", "-0.1", "-o", output]).Invoke());
        Assert.Equal(ExitCodes.InvalidInput, ValidateCommand.Create().Parse([model, "--fixed-cost-below", "-1", "-o", output]).Invoke());
        Assert.NotEqual(ExitCodes.Success, ValidateCommand.Create().Parse([model, "--statistic", "p99", "-o", output]).Invoke());
        Assert.False(Directory.Exists(output));
    }
}
