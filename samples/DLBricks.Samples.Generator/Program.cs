using DLBricks.Samples.Generator;
using Spectre.Console;

// A thin shell: parse, wire Ctrl+C to a clean stop, run the pipeline, exit with its code.
SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return SampleGenerator.SetupFailed;
}
if (options.Help)
{
    Console.WriteLine(SampleOptions.Usage);
    return SampleGenerator.Success;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop after the brick being measured (the database keeps every finished one). A second one ends the process.
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("stopping after the current measurement (Ctrl+C again to abort at once)...");
    cancel.Cancel();
};

// Piped or redirected output gets no colours and a width that never wraps the tables.
var console = Console.IsOutputRedirected
    ? AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(Console.Out) })
    : AnsiConsole.Console;
if (Console.IsOutputRedirected) console.Profile.Width = 200;
var generator = new SampleGenerator(console, Console.Error);
return generator.Run(options, cancel.Token).ExitCode;
