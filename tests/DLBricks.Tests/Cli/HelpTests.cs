using System.CommandLine;
using DLBricks.Cli.Commands;

namespace DLBricks.Tests.Cli;

public sealed class HelpTests
{
    [Theory]
    [InlineData("--help", "dlbricks [command] [options]")]
    [InlineData("split --help", "dlbricks split")]
    [InlineData("estimate -h", "dlbricks estimate")]
    public void HelpNamesTheToolAsUsersTypeIt(string commandLine, string usage)
    {
        var output = new StringWriter();

        var exit = CommandCatalog.Root().Parse(commandLine.Split(' ')).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exit);
        Assert.Contains(usage, output.ToString());
        Assert.DoesNotContain("DLBricks.Cli", output.ToString());
    }

    [Fact]
    public void VerbsParseWithoutTheToolName()
    {
        var result = CommandCatalog.Root().Parse(["split", "model.onnx", "-o", "out"]);

        Assert.Empty(result.Errors);
        Assert.Equal("split", result.CommandResult.Command.Name);
    }
}
