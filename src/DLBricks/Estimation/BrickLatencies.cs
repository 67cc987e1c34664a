using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Estimation;

/// <summary>
/// Measured latencies by brick hash, plus the reasons bricks failed, so an estimate can name what it lacks and why.
/// </summary>
internal sealed class BrickLatencies
{
    private readonly IReadOnlyDictionary<string, LatencyStatistics> _statistics;
    private readonly IReadOnlyDictionary<string, string> _failures;

    private BrickLatencies(IReadOnlyDictionary<string, LatencyStatistics> statistics, IReadOnlyDictionary<string, string> failures)
    {
        _statistics = statistics;
        _failures = failures;
    }

    /// <summary>An empty lookup: every brick is missing.</summary>
    public static BrickLatencies Empty { get; } = new(new Dictionary<string, LatencyStatistics>(), new Dictionary<string, string>());

    /// <summary>Latencies from stored results (e.g. <see cref="IResultStore.GetResults"/>); failed results are kept as reasons.</summary>
    public static BrickLatencies FromResults(IEnumerable<BrickResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var statistics = new Dictionary<string, LatencyStatistics>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            if (result.Succeeded)
            {
                statistics[result.BrickHash] = result.Statistics!;
                failures.Remove(result.BrickHash);
            }
            else if (!statistics.ContainsKey(result.BrickHash))
            {
                failures[result.BrickHash] = result.Error ?? "no statistics recorded";
            }
        }
        return new BrickLatencies(statistics, failures);
    }

    /// <summary>Latencies from a plain hash → statistics map (tests, or results merged from several sources).</summary>
    public static BrickLatencies FromStatistics(IReadOnlyDictionary<string, LatencyStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return new BrickLatencies(new Dictionary<string, LatencyStatistics>(statistics, StringComparer.Ordinal), new Dictionary<string, string>());
    }

    /// <summary>Number of bricks with a successful measurement.</summary>
    public int Count => _statistics.Count;

    /// <summary>The statistics of a successfully measured brick.</summary>
    public bool TryGet(string hash, out LatencyStatistics statistics)
    {
        if (_statistics.TryGetValue(hash, out var found))
        {
            statistics = found;
            return true;
        }
        statistics = null!;
        return false;
    }

    /// <summary>Why <paramref name="hash"/> has no latency: the stored error, or "not measured".</summary>
    public string MissingReason(string hash) =>
        _failures.TryGetValue(hash, out var error) ? $"failed: {error}" : "not measured";
}
