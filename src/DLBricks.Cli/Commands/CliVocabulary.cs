using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using DLBricks.Estimation;
using DLBricks.Graph;
using DLBricks.Reporting;

namespace DLBricks.Cli.Commands;

/// <summary>How the typed options of <see cref="BricksOptions"/> are spelled on the command line, in one place for every verb.</summary>
internal static class CliVocabulary
{
    public static readonly string[] SessionLevels = ["disabled", "basic", "extended", "all"];
    public static readonly string[] SourceLevels = ["basic", "extended", "all"];
    public static readonly string[] Executors = ["sequential", "parallel"];
    public static readonly string[] Clocks = ["auto", "wall", "cpu"];
    public static readonly string[] SharedPools = ["auto", "on", "off"];

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:DEVICE</c>.</summary>
    /// <exception cref="InvalidModelException">Anything else.</exception>
    public static (ExecutionProvider Provider, int? Device) ParseProvider(string text)
    {
        var value = text.ToLowerInvariant();
        if (value == "cpu") return (ExecutionProvider.Cpu, null);
        if (value == "cuda") return (ExecutionProvider.Cuda, 0);
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return (ExecutionProvider.Cuda, id);
        throw new InvalidModelException($"--ep {text}: expected cpu or cuda[:DEVICE].");
    }

    public static OptimizationLevel ParseLevel(string text) => LayerSourceOptions.ParseLevel(text);

    public static ExecutorMode ParseExecutor(string text) => text.ToLowerInvariant() switch
    {
        "sequential" => ExecutorMode.Sequential,
        "parallel" => ExecutorMode.Parallel,
        _ => throw new InvalidModelException($"--executor {text}: expected sequential or parallel."),
    };

    public static IterationClock ParseClock(string text) => text.ToLowerInvariant() switch
    {
        "auto" => IterationClock.Auto,
        "wall" => IterationClock.Wall,
        "cpu" => IterationClock.ThreadCpu,
        _ => throw new InvalidModelException($"--clock {text}: expected auto, wall or cpu."),
    };

    public static SharedPoolMode ParseSharedPool(string text) => text.ToLowerInvariant() switch
    {
        "auto" => SharedPoolMode.Auto,
        "on" => SharedPoolMode.On,
        "off" => SharedPoolMode.Off,
        _ => throw new InvalidModelException($"--shared-pool {text}: expected auto, on or off."),
    };

    public static string SharedPoolName(SharedPoolMode mode) => mode switch { SharedPoolMode.On => "on", SharedPoolMode.Off => "off", _ => "auto" };

    public static string ExecutorName(ExecutorMode mode) => mode == ExecutorMode.Parallel ? "parallel" : "sequential";

    public static string LevelName(OptimizationLevel level) => LayerSourceOptions.LevelName(level);

    public static string ClockName(IterationClock clock) => clock switch { IterationClock.Wall => "wall", IterationClock.ThreadCpu => "cpu", _ => "auto" };

    /// <summary>Per-brick statistics as the command line spells them.</summary>
    public static IReadOnlyDictionary<string, LatencyStatistic> Statistics { get; } = new Dictionary<string, LatencyStatistic>
    {
        ["median"] = LatencyStatistic.Median,
        ["mean"] = LatencyStatistic.Mean,
        ["trimmed-mean"] = LatencyStatistic.TrimmedMean,
        ["p90"] = LatencyStatistic.P90,
        ["min"] = LatencyStatistic.Min,
    };

    // Stores keep no low quantiles, so only validate (which measures bricks in the same process) offers them.
    public static IReadOnlyDictionary<string, LatencyStatistic> ValidateStatistics { get; } =
        new Dictionary<string, LatencyStatistic>(Statistics) { ["p10"] = LatencyStatistic.P10, ["p25"] = LatencyStatistic.P25 };

    /// <summary>Estimator selections: each estimator by its report name, and <c>all</c>.</summary>
    public static IReadOnlyDictionary<string, Estimators> EstimatorSets { get; } = new Dictionary<string, Estimators>
    {
        ["all"] = Estimators.All,
        [EstimateTextWriter.ModeName(EstimationMode.Sequential)] = Estimators.Sequential,
        [EstimateTextWriter.ModeName(EstimationMode.CriticalPath)] = Estimators.CriticalPath,
        [EstimateTextWriter.ModeName(EstimationMode.OverlapCover)] = Estimators.OverlapCover,
    };

    public static string StatisticName(LatencyStatistic statistic) => Statistics.Concat(ValidateStatistics).First(p => p.Value == statistic).Key;
}

/// <summary>
/// An option with a new name and its old spelling kept as a hidden alias: scripts that use the old name keep working and are
/// told once, on stderr, which name to use instead. The old name is a separate hidden option (System.CommandLine cannot hide
/// one alias of an option), so <see cref="GetValue"/> reads whichever was given.
/// </summary>
internal sealed class RenamedOption<T>
{
    public RenamedOption(Option<T> current, string oldName, params string[] accepted)
    {
        Current = current;
        Old = new Option<T>(oldName) { Description = $"Deprecated spelling of {current.Name}.", Hidden = true };
        if (accepted.Length > 0)
        {
            current.AcceptOnlyFromAmong(accepted);
            Old.AcceptOnlyFromAmong(accepted);
        }
    }

    public Option<T> Current { get; }

    public Option<T> Old { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Current);
        command.Options.Add(Old);
    }

    /// <exception cref="InvalidModelException">Both spellings were given.</exception>
    public T GetValue(ParseResult result)
    {
        if (result.GetResult(Old) is not { Implicit: false }) return result.GetValue(Current)!;
        if (result.GetResult(Current) is { Implicit: false })
            throw new InvalidModelException($"{Old.Name} is the old spelling of {Current.Name}; give only {Current.Name}.");
        Console.Error.WriteLine($"dlbricks: {Old.Name} is deprecated here; use {Current.Name} (same values).");
        return result.GetValue(Old)!;
    }
}
