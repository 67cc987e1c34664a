using DLBricks.Benchmarking;
using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary>Shows a bench run's progress: a live bar on a terminal, one plain line per brick otherwise (logs, CI, pipes).</summary>
internal static class BenchProgressView
{
    public static BrickBenchmarkSummary Run(Func<IProgress<BrickBenchmarkProgress>, BrickBenchmarkSummary> run)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return run(new Callback(PrintLine));

        BrickBenchmarkSummary? summary = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                var task = context.AddTask("bricks");
                summary = run(new Callback(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Completed;
                    var current = p.Current is null ? "" : $" {Short(p.Current)}";
                    task.Description = Markup.Escape($"{p.Completed}/{p.Total}{current} ETA {Eta(p.Remaining)}");
                }));
                task.Value = task.MaxValue;
            });
        return summary!;
    }

    private static void PrintLine(BrickBenchmarkProgress p)
    {
        if (p.Last is not { Kind: not BrickOutcomeKind.Skipped } last)
            return;
        var what = last.Kind == BrickOutcomeKind.Measured
            ? $"median {last.Statistics!.Median:F4} ms, trimmed mean {last.Statistics.TrimmedMean:F4} ms"
            : $"FAILED {last.Error}";
        Console.WriteLine($"[{p.Completed}/{p.Total}] {Short(last.Hash)} {what} (ETA {Eta(p.Remaining)})");
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static string Eta(TimeSpan? remaining) => remaining is { } r ? r.ToString(@"hh\:mm\:ss") : "--:--:--";

    /// <summary>Reports synchronously on the caller's thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class Callback(Action<BrickBenchmarkProgress> report) : IProgress<BrickBenchmarkProgress>
    {
        public void Report(BrickBenchmarkProgress value) => report(value);
    }
}
