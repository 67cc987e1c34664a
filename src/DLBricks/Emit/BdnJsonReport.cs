using System.Globalization;
using System.Text.Json;
using DLBricks.Benchmarking;

namespace DLBricks.Emit;

/// <summary>One case of an emitted suite's BenchmarkDotNet report: the brick and its latency, or why it has none.</summary>
/// <param name="BrickHash">The brick hash (the case's <c>Brick</c> parameter), or <see cref="EmittedSuite.CalibrationCase"/>.</param>
/// <param name="Statistics">Latency per run in ms; null when the case produced no measurements.</param>
/// <param name="Error">Why there are no statistics; null when measured.</param>
internal sealed record ReportedBrick(string BrickHash, LatencyStatistics? Statistics, string? Error);

/// <summary>
/// Reads BenchmarkDotNet's JSON export (<c>*-report-full.json</c>, also the brief and default variants) of an emitted suite.
/// Times in the export are nanoseconds per operation; BenchmarkDotNet writes NaN as an empty string. The 20 % trimmed mean comes
/// from the raw <c>Workload</c>/<c>Result</c> measurements when the export has them (full export), else from the statistics'
/// original values.
/// </summary>
internal sealed class BdnJsonReport
{
    private const double NsPerMs = 1e6;
    private const string SuiteType = "BrickBenchmarks";
    private const string BrickParameter = "Brick";

    private BdnJsonReport(string path, DateTime? startedAt, IReadOnlyList<ReportedBrick> bricks, IReadOnlyList<string> ignored)
    {
        Path = path;
        StartedAt = startedAt;
        Bricks = bricks;
        Ignored = ignored;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Local time of the run from the report title (BenchmarkDotNet writes no offset), if present.</summary>
    public DateTime? StartedAt { get; }

    /// <summary>Brick cases in report order.</summary>
    public IReadOnlyList<ReportedBrick> Bricks { get; }

    /// <summary>Benchmarks of the report that are not brick cases of an emitted suite, with the reason.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>Reads a report file.</summary>
    /// <exception cref="InvalidDataException">The file is missing or not a BenchmarkDotNet JSON export; the message names the file.</exception>
    public static BdnJsonReport Read(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: file not found.");
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON ({e.Message}).", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Benchmarks", out var benchmarks) || benchmarks.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{path}: not a BenchmarkDotNet JSON export (no Benchmarks array); run the suite with its default exporters or --exporters json.");
            var bricks = new List<ReportedBrick>();
            var ignored = new List<string>();
            foreach (var benchmark in benchmarks.EnumerateArray())
            {
                var name = Text(benchmark, "FullName") ?? Text(benchmark, "DisplayInfo") ?? "?";
                if (Text(benchmark, "Type") != SuiteType)
                {
                    ignored.Add($"{name}: not a case of an emitted brick suite");
                    continue;
                }
                var hash = BrickHash(Text(benchmark, "Parameters"));
                if (hash is null)
                {
                    ignored.Add($"{name}: no full brick hash in its parameters");
                    continue;
                }
                bricks.Add(ReadCase(hash, benchmark));
            }
            return new BdnJsonReport(path, ParseTitleTime(Text(root, "Title")), bricks, ignored);
        }
    }

    private static ReportedBrick ReadCase(string hash, JsonElement benchmark)
    {
        if (!benchmark.TryGetProperty("Statistics", out var s) || s.ValueKind != JsonValueKind.Object || Number(s, "N") is not (> 0 and var n))
            return new ReportedBrick(hash, null, "no measurements in the suite run (the case failed; see the suite's BenchmarkDotNet log)");
        var mean = Number(s, "Mean") / NsPerMs;
        var ci = s.TryGetProperty("ConfidenceInterval", out var interval) ? interval : default;
        var percentiles = s.TryGetProperty("Percentiles", out var p) ? p : default;
        var lower = Number(ci, "Lower") / NsPerMs;
        var upper = Number(ci, "Upper") / NsPerMs;
        var stdDev = Number(s, "StandardDeviation") / NsPerMs;
        var values = ResultValues(benchmark);
        if (values.Count == 0)
            values = Numbers(s, "OriginalValues");
        values.Sort();
        var statistics = new LatencyStatistics(
            Mean: mean,
            Median: Number(s, "Median") / NsPerMs,
            StdDev: double.IsFinite(stdDev) ? stdDev : 0,
            P90: Number(percentiles, "P90") / NsPerMs,
            P95: Number(percentiles, "P95") / NsPerMs,
            // Too few iterations for an interval: fall back to the mean, as the in-process bench does.
            CiLower: double.IsFinite(lower) ? lower : mean,
            CiUpper: double.IsFinite(upper) ? upper : mean,
            TrimmedMean: values.Count > 0 ? Percentiles.TrimmedMean(values) / NsPerMs : mean,
            N: (int)n,
            Min: Number(s, "Min") / NsPerMs,
            Max: Number(s, "Max") / NsPerMs)
        {
            Distribution = LatencyDistribution.FromSamples(values.Select(v => v / NsPerMs)),
        };
        return new ReportedBrick(hash, statistics, null);
    }

    /// <summary>Per-operation times of the measured iterations after overhead subtraction, outliers included.</summary>
    private static List<double> ResultValues(JsonElement benchmark)
    {
        var values = new List<double>();
        if (!benchmark.TryGetProperty("Measurements", out var measurements) || measurements.ValueKind != JsonValueKind.Array)
            return values;
        foreach (var m in measurements.EnumerateArray())
        {
            if (Text(m, "IterationMode") != "Workload" || Text(m, "IterationStage") != "Result")
                continue;
            var operations = Number(m, "Operations");
            var ns = Number(m, "Nanoseconds");
            if (operations > 0 && double.IsFinite(ns))
                values.Add(ns / operations);
        }
        return values;
    }

    /// <summary>The hash from a parameter text such as <c>Brick=0ca6…</c>; null when absent or shortened.</summary>
    internal static string? BrickHash(string? parameters)
    {
        if (parameters is null)
            return null;
        foreach (var part in parameters.Split(", "))
        {
            var eq = part.IndexOf('=');
            if (eq < 0 || part[..eq].Trim() != BrickParameter)
                continue;
            var value = part[(eq + 1)..].Trim();
            if (value == EmittedSuite.CalibrationCase)
                return value;
            return value.Length >= 8 && value.All(char.IsAsciiHexDigitLower) ? value : null;
        }
        return null;
    }

    private static DateTime? ParseTitleTime(string? title)
    {
        // Titles end in "-yyyyMMdd-HHmmss" (local time of the machine that ran the suite).
        if (title is null || title.Length < 15)
            return null;
        return DateTime.TryParseExact(title[^15..], "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? local
            : null;
    }

    private static string? Text(JsonElement element, string property)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static double Number(JsonElement element, string property)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : double.NaN;

    private static List<double> Numbers(JsonElement element, string property)
    {
        var values = new List<double>();
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array)
            values.AddRange(array.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()));
        return values;
    }
}
