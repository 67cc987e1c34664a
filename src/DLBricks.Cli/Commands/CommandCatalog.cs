using System.CommandLine;
using System.CommandLine.Help;

namespace DLBricks.Cli.Commands;

/// <summary>The verbs of <c>dlbricks</c>. Adding a verb means adding one line here and one command class.</summary>
internal static class CommandCatalog
{
    /// <summary>The tool's name in usage lines and help, whatever file launched it.</summary>
    public const string ToolName = "dlbricks";

    /// <summary>
    /// The root command with every verb. A <see cref="RootCommand"/> names itself after the launched file, which is
    /// <c>DLBricks.Cli</c> for <c>dotnet DLBricks.Cli.dll</c> and for the installed tool's shim alike; a plain command named
    /// <see cref="ToolName"/> with the same help and version options shows the name users type.
    /// </summary>
    public static Command Root()
    {
        var root = new Command(ToolName, "DLBricks: benchmark deep-learning models cheaply from deduplicated layer bricks.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (var command in All())
            root.Subcommands.Add(command);
        return root;
    }

    public static IEnumerable<Command> All()
    {
        yield return SplitCommand.Create();
        yield return InspectCommand.Create();
        yield return new BenchCommand();
        yield return EstimateCommand.Create();
        yield return ValidateCommand.Create();
        yield return EmitCommand.Create();
        yield return ImportResultsCommand.Create();
        yield return AdviseCommand.Create();
        yield return ResultsCommand.Create();
    }
}
