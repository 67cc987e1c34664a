using System.CommandLine;
using DLBricks.Cli.Commands;

// Main only parses and invokes: each verb lives in its own command class under Commands/.
// Redirected output (CI logs, files) gets wide tables instead of Spectre's 80-column default.
if (Console.IsOutputRedirected)
    Spectre.Console.AnsiConsole.Profile.Width = 240;

var root = new RootCommand("DLBricks: benchmark deep-learning models cheaply from deduplicated layer bricks.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

return await root.Parse(args).InvokeAsync();
