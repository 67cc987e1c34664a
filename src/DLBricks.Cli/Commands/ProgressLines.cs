using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary>
/// Renders the library's <see cref="BricksProgress"/> events on stderr as they happen, so stdout keeps only results: a dim
/// stage counter and the message on a terminal, the plain line when stderr is redirected (logs, CI, pipes).
/// </summary>
internal sealed class ProgressLines : IProgress<BricksProgress>
{
    public static ProgressLines Instance { get; } = new();

    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
        Ansi = Console.IsErrorRedirected ? AnsiSupport.No : AnsiSupport.Detect,
    });

    // Report is called on the working thread, one event at a time (Progress<T> would post them to the pool out of order).
    public void Report(BricksProgress value)
    {
        if (Console.IsErrorRedirected)
        {
            Console.Error.WriteLine(value.Message);
            return;
        }
        var counter = value.Total > 0 ? $"[grey]{value.Stage.ToString().ToLowerInvariant()} {value.Done}/{value.Total}[/] " : "";
        _console.MarkupLine(counter + Markup.Escape(value.Message));
    }
}
