using System.CommandLine;
using DLBricks.Cli.Commands;

// Main only parses and invokes: each verb lives in its own command class under Commands/.
var root = new RootCommand("DLBricks: benchmark deep-learning models cheaply from deduplicated layer bricks.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

return await root.Parse(args).InvokeAsync();
