using System.CommandLine;
using DLBricks.Cli.Commands;

// Main only parses and invokes: each verb lives in its own command class under Commands/.
// Redirected output (CI logs, files) gets wide tables instead of Spectre's 80-column default.
if (Console.IsOutputRedirected)
    Spectre.Console.AnsiConsole.Profile.Width = 240;

return await CommandCatalog.Root().Parse(args).InvokeAsync();
