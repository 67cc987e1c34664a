using System.CommandLine;

namespace DLBricks.Cli.Commands;

/// <summary>The verbs of <c>dlbricks</c>. Adding a verb means adding one line here and one command class.</summary>
internal static class CommandCatalog
{
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
