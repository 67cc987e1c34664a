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
        {
            RejectUnknownOptions(command);
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>
    /// A verb that takes a list of files would otherwise read an option it does not know (<c>--executor</c> on a verb without
    /// it) as one more file, run without it and report "file not found" at the end; it is refused before anything runs.
    /// </summary>
    internal static void RejectUnknownOptions(Command command)
    {
        foreach (var argument in command.Arguments)
            argument.Validators.Add(result =>
            {
                foreach (var token in result.Tokens)
                    if (token.Value.Length > 1 && token.Value[0] == '-' && !File.Exists(token.Value) && !Directory.Exists(token.Value))
                        result.AddError($"'{token.Value}' is not an option of '{command.Name}'; see 'dlbricks {command.Name} --help' or docs/cli.md.");
            });
        foreach (var sub in command.Subcommands) RejectUnknownOptions(sub);
    }

    public static IEnumerable<Command> All()
    {
        yield return SplitCommand.Create();
        yield return AuditPrivacyCommand.Create();
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
