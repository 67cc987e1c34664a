using System.CommandLine;
using DLBricks.Cli;
using DLBricks.Cli.Commands;

// Main only parses and invokes: each verb lives in its own command class under Commands/.
// Redirected output (CI logs, files) gets wide tables instead of Spectre's 80-column default.
if (Console.IsOutputRedirected)
    Spectre.Console.AnsiConsole.Profile.Width = 240;

var root = CommandCatalog.Root();

// Commands turn known failures into one line (CliErrors); this catches whatever escapes them, including exceptions thrown
// on other threads, so no path ends in a stack trace. System.CommandLine's own handler would print the trace.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    if (e.ExceptionObject is Exception error) CliErrors.LastResort(error);
    Environment.Exit(ExitCodes.InternalError);
};
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    return CliErrors.LastResort(e);
}
