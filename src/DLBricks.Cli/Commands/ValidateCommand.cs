using System.CommandLine;
using System.Globalization;
using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Reporting;
using DLBricks.Storage;
using DLBricks.Validation;
using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks validate MODEL... -g 1,3,5</c>: split at each G, measure models end to end interleaved with their bricks on the
/// same BenchmarkDotNet engine as <c>bench</c>, estimate, and write the JSON/Markdown report and the paper's figures.
/// </summary>
internal static class ValidateCommand
{
    private static ValidationSettings Defaults => BricksOptions.Default.Validation;

    public static Command Create()
    {
        var models = new Argument<string[]>("MODEL") { Description = "ONNX model files.", Arity = ArgumentArity.OneOrMore };
        var gs = new Option<string>("-g", "--granularities") { Description = "Comma-separated G values.", DefaultValueFactory = _ => string.Join(',', BricksOptions.Default.Granularities) };
        var stores = new ResultStoreOptions();
        var json = new Option<string?>("--json") { Description = "Write the JSON report to this file." };
        var md = new Option<string?>("--md") { Description = "Write the Markdown report to this file." };
        var plots = new Option<string?>("--plots") { Description = "Write the PNG figures (paper Fig. 10-12) into this folder." };
        var output = new Option<string>("-o", "--output") { Description = "Report folder for everything not redirected by --json/--md/--plots.", DefaultValueFactory = _ => "dlbricks-validation" };
        var overlap = new Option<bool>("--overlap") { Description = "Also split with overlap windows and report the overlap-cover estimate." };
        var repeats = new Option<int>("--repeats") { Description = "End-to-end measurements per model, interleaved with its bricks.", DefaultValueFactory = _ => Defaults.Repeats };
        var maxRepeats = new Option<int>("--max-repeats") { Description = "Adaptive: measure a model whose repeats disagree again, up to this many times, and keep the --repeats that agree best (0: off).", DefaultValueFactory = _ => Defaults.MaxRepeats };
        var spread = new Option<double>("--spread") { Description = "Flag ratios whose end-to-end spread exceeds this fraction.", DefaultValueFactory = _ => Defaults.SpreadThreshold };
        var statistic = new Option<string>("--statistic") { Description = "Statistic compared on both sides (p10/p25 measure every brick afresh).", DefaultValueFactory = _ => CliVocabulary.StatisticName(BricksOptions.Default.Statistic) };
        var runs = new Option<int>("--runs") { Description = "Repeat the whole validation this many times (bricks measured afresh each time) and report the run-to-run spread.", DefaultValueFactory = _ => Defaults.Runs };
        var tolerance = new Option<double>("--run-tolerance") { Description = "With --runs: a model is reproducible when every run's normalized latency is within this fraction of the median run.", DefaultValueFactory = _ => Defaults.RunTolerance };
        statistic.AcceptOnlyFromAmong(CliVocabulary.ValidateStatistics.Keys.ToArray());
        var fixedCost = new Option<bool>("--fixed-cost") { Description = "Calibrate the per-call harness cost and subtract it for all but one brick run, for every model." };
        var fixedCostBelow = new Option<double>("--fixed-cost-below") { Description = "Without --fixed-cost: subtract the per-call cost only from estimates below this many ms (0: never).", DefaultValueFactory = _ => Defaults.FixedCostBelowMs };
        var noProfile = new Option<bool>("--no-profile") { Description = "Skip the Observation-1 profile check." };
        var noWorkerSchedule = new Option<bool>("--no-worker-schedule")
        {
            Description = "With --executor parallel: report the critical path as the longest path alone (perfect overlap) instead of " +
                          "scheduling the bricks on the inter-op workers at the measured speedup of concurrent bricks.",
        };
        var pin = new Option<string?>("--pin") { Description = "Pin the process to these logical CPUs (comma-separated) while measuring." };
        var session = new SessionCliOptions(withExecutor: true);
        var source = new LayerSourceCliOptions();
        var inputs = new ModelInputOptions();
        var splitCost = new SplitCostCliOptions();

        var command = new Command("validate", "Compare brick estimates with end-to-end latency (paper Fig. 10-12).")
        {
            models, gs, json, md, plots, output, overlap, repeats, maxRepeats, spread, statistic, runs, tolerance, fixedCost, fixedCostBelow, noProfile, noWorkerSchedule, pin,
        };
        stores.AddTo(command);
        session.AddTo(command);
        source.AddTo(command);
        inputs.AddTo(command);
        splitCost.AddTo(command, jobs: true);
        command.SetAction((result, token) => Task.Run(() => CliErrors.Run(() =>
        {
            var options = source.Apply(result, session.Apply(result, BricksOptions.Default))
                .WithGranularities([.. CliNumbers.ParseInts(result.GetValue(gs)!, "-g")])
                .WithOverlap(result.GetValue(overlap))
                .WithStatistic(CliVocabulary.ValidateStatistics[result.GetValue(statistic)!])
                .WithFixedCost(result.GetValue(fixedCost))
                .WithInputs(inputs.Bindings(result))
                .WithValidation(v => v with
                {
                    Repeats = result.GetValue(repeats),
                    MaxRepeats = result.GetValue(maxRepeats),
                    SpreadThreshold = result.GetValue(spread),
                    FixedCostBelowMs = result.GetValue(fixedCostBelow),
                    Profile = !result.GetValue(noProfile),
                    Runs = result.GetValue(runs),
                    RunTolerance = result.GetValue(tolerance),
                })
                with
                {
                    GraphCache = splitCost.ReadCache(result),
                    SplitJobs = splitCost.ReadJobs(result),
                    WorkerSchedule = !result.GetValue(noWorkerSchedule),
                };
            // Bad options fail before pinning or opening the store, so they write nothing.
            options.Validation.Validate(options.Granularities);
            SessionOptionsFactory.EnsureAvailable(options.ToMeasurement().Configuration);

            using var pinning = result.GetValue(pin) is { } cores ? CpuPinning.Apply(CliNumbers.ParseInts(cores, "--pin")) : null;
            if (pinning is not null) Console.Error.WriteLine(pinning.Detail);

            var outputDir = result.GetValue(output)!;
            using var store = stores.Open(result);
            var summary = Bricks.Validate(result.GetValue(models)!, store, Path.Combine(outputDir, "splits"), options, ProgressLines.Instance, token);
            if (summary.Report is not { } report)
            {
                var reasons = summary.Models.Failures().Select(f => f.Reason).Distinct().ToList();
                throw new InvalidModelException(string.Join("; ", reasons));
            }

            foreach (var path in ValidationReportWriter.WriteAll(report, outputDir)) Console.WriteLine($"wrote {path}");
            if (result.GetValue(json) is { } jsonPath) { ValidationReportJsonWriter.Write(report, jsonPath); Console.WriteLine($"wrote {jsonPath}"); }
            if (result.GetValue(md) is { } mdPath) { ValidationReportMarkdownWriter.Write(report, mdPath); Console.WriteLine($"wrote {mdPath}"); }
            if (result.GetValue(plots) is { } plotDir) foreach (var p in ValidationPlots.WriteAll(report, plotDir)) Console.WriteLine($"wrote {p}");
            Print(report, summary.Headline);
            if (CliErrors.ReportFailures(report.Failures) != ExitCodes.Success) return ExitCodes.PartialFailure;
            return report.Models.Any(r => r.MissingBricks.Count > 0) ? ExitCodes.PartialFailure : ExitCodes.Success;
        }), CancellationToken.None));
        return command;
    }

    private static void Print(ValidationReport report, IReadOnlyList<ValidationHeadline> headline)
    {
        var rows = new Table().AddColumns("model", "G", "e2e ms", "spread", "estimate ms", "critical path ms", "normalized");
        foreach (var m in report.Models)
            rows.AddRow(m.Model, m.G.ToString(CultureInfo.InvariantCulture), m.E2eMs.ToString("0.###", CultureInfo.InvariantCulture),
                (m.E2eSpread * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" + (m.Trustworthy ? "" : " !"),
                m.EstimateMs.ToString("0.###", CultureInfo.InvariantCulture), m.EstimateCriticalPathMs.ToString("0.###", CultureInfo.InvariantCulture),
                m.Normalized.ToString("0.###", CultureInfo.InvariantCulture));
        AnsiConsole.Write(rows);
        if (report.Concurrency is { } concurrency)
            AnsiConsole.WriteLine($"critical path scheduled on {concurrency} (measured speedup of concurrent bricks)");
        var table = new Table().AddColumns("G", "models", "geomean normalized", "geomean |error|", "min", "max", "speedup", "untrustworthy");
        foreach (var s in report.Summary)
        {
            var geomeanError = headline.FirstOrDefault(h => h.G == s.G)?.GeomeanAbsError ?? double.NaN;
            table.AddRow(s.G.ToString(CultureInfo.InvariantCulture), s.Models.ToString(CultureInfo.InvariantCulture),
                s.GeomeanNormalized.ToString("0.###", CultureInfo.InvariantCulture),
                (geomeanError * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %",
                s.MinNormalized.ToString("0.###", CultureInfo.InvariantCulture), s.MaxNormalized.ToString("0.###", CultureInfo.InvariantCulture),
                s.Speedup.ToString("0.##", CultureInfo.InvariantCulture) + "x", s.Untrustworthy.ToString(CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        if (report.Models.Any(m => m.EstimateP90Ms is not null && m.E2eP90Ms is not null)) PrintTail(report);
        if (report.Reproducibility is { } r) PrintReproducibility(r);
    }

    private static void PrintTail(ValidationReport report)
    {
        static string Ms(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "-";
        var rows = new Table().AddColumns("model", "G", "inputs", "e2e p50/p90/p99 ms", "estimate p50/p90/p99 ms", "normalized p90", "normalized p99");
        foreach (var m in report.Models)
            rows.AddRow(m.Model, m.G.ToString(CultureInfo.InvariantCulture), m.Inputs.Length == 0 ? "-" : Markup.Escape(m.Inputs),
                $"{Ms(m.E2eP50Ms)} / {Ms(m.E2eP90Ms)} / {Ms(m.E2eP99Ms)}", $"{Ms(m.EstimateP50Ms)} / {Ms(m.EstimateP90Ms)} / {Ms(m.EstimateP99Ms)}",
                Ms(m.NormalizedP90), Ms(m.NormalizedP99));
        AnsiConsole.Write(rows);
        foreach (var s in report.Summary.Where(s => s.TailModels > 0))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"G={s.G}: P90 estimate within ±10 % of the measured P90 for {s.P90WithinTenPercent} of {s.TailModels} models (geomean normalized P90 {s.GeomeanNormalizedP90:0.###}, P99 {s.GeomeanNormalizedP99:0.###})"));
    }

    private static void PrintReproducibility(ReproducibilityReport r)
    {
        static string Pct(double f) => (f * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";
        var rows = new Table().AddColumns("model", "G", "normalized per run", "median", "normalized spread", "e2e spread", "bricks spread", "reproducible");
        foreach (var m in r.Rows)
            rows.AddRow(m.Model, m.G.ToString(CultureInfo.InvariantCulture),
                string.Join(" ", m.Normalized.Select(n => n.ToString("0.###", CultureInfo.InvariantCulture))),
                m.NormalizedMedian.ToString("0.###", CultureInfo.InvariantCulture), Pct(m.NormalizedSpread), Pct(m.E2eSpread), Pct(m.EstimateSpread),
                m.Reproducible ? "yes" : "no");
        AnsiConsole.Write(rows);
        var table = new Table().AddColumns("G", "models", $"within ±{Pct(r.Tolerance)} over {r.Runs} runs", "geomean |error| per run", "geomean |error| of medians");
        foreach (var s in r.Summary)
            table.AddRow(s.G.ToString(CultureInfo.InvariantCulture), s.Models.ToString(CultureInfo.InvariantCulture),
                s.Reproducible.ToString(CultureInfo.InvariantCulture), string.Join(" ", s.GeomeanErrorPerRun.Select(Pct)), Pct(s.GeomeanErrorOfMedians));
        AnsiConsole.Write(table);
    }
}

/// <summary>Comma-separated integer lists on the command line.</summary>
internal static class CliNumbers
{
    public static List<int> ParseInts(string text, string option)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw new InvalidModelException($"{option}: '{part}' is not an integer.");
            values.Add(value);
        }
        return values;
    }
}
