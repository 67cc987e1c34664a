using System.CommandLine;
using System.Globalization;
using DLBricks.Reporting;
using DLBricks.Storage;
using DLBricks.Validation;
using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks validate MODEL... -g 1,3,5 -o DIR</c>: splits, measures models end to end interleaved with their bricks,
/// estimates, and writes validation.json, validation.md and the Fig. 10–12 PNGs.
/// </summary>
internal static class ValidateCommand
{
    /// <param name="measureBricks">
    /// WIRING: the brick pipeline. Pass the BenchmarkDotNet engine here (measure each <see cref="BrickLocation"/> as
    /// <c>bench</c> does) once Benchmarking lands; null uses the quick single-stream <see cref="ScenarioMeasurer"/>.
    /// </param>
    public static Command Create(Func<IReadOnlyList<BrickLocation>, IReadOnlyDictionary<string, BrickResult>>? measureBricks = null)
    {
        var models = new Argument<string[]>("MODEL") { Description = "ONNX model files.", Arity = ArgumentArity.OneOrMore };
        var gs = new Option<string>("-g", "--granularities") { Description = "Comma-separated G values.", DefaultValueFactory = _ => "1,3,5" };
        var output = new Option<string>("-o", "--output") { Description = "Report folder.", Required = true };
        var work = new Option<string?>("--work") { Description = "Where splits are kept (default: OUTPUT/splits)." };
        var overlap = new Option<bool>("--overlap") { Description = "Also split with overlap windows and report the overlap-cover estimate." };
        var repeats = new Option<int>("--repeats") { Description = "End-to-end measurements per model, interleaved with its bricks.", DefaultValueFactory = _ => 3 };
        var spread = new Option<double>("--spread") { Description = "Flag ratios whose end-to-end spread exceeds this fraction.", DefaultValueFactory = _ => 0.05 };
        var statistic = new Option<string>("--statistic") { Description = "Statistic compared on both sides.", DefaultValueFactory = _ => "median" };
        statistic.AcceptOnlyFromAmong(CliNames.Statistics.Keys.ToArray());
        var fixedCost = new Option<bool>("--fixed-cost") { Description = "Calibrate the per-call cost and subtract it for all but one brick run." };
        var noProfile = new Option<bool>("--no-profile") { Description = "Skip the Observation-1 profile check." };
        var queries = new Option<int>("--queries") { Description = "Timed queries per end-to-end measurement.", DefaultValueFactory = _ => 30 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads (0 = ONNX Runtime default).", DefaultValueFactory = _ => 1 };
        var pin = new Option<string?>("--pin") { Description = "Pin the process to these logical CPUs (comma-separated) while measuring." };

        var command = new Command("validate", "Compare brick estimates with end-to-end latency (paper Fig. 10-12).")
        {
            models, gs, output, work, overlap, repeats, spread, statistic, fixedCost, noProfile, queries, threads, pin,
        };
        command.SetAction((result, token) => Task.FromResult(CliErrors.Run(() =>
        {
            var granularities = ParseInts(result.GetValue(gs)!, "-g");
            if (granularities.Count == 0 || granularities.Any(g => g < 1)) throw new InvalidDataException("-g: every G must be at least 1.");
            if (result.GetValue(repeats) < 2) throw new InvalidDataException("--repeats: at least 2 end-to-end measurements are needed to see spread.");
            if (result.GetValue(queries) < 1) throw new InvalidDataException("--queries: at least 1.");
            var outputDir = result.GetValue(output)!;
            var options = new ValidationRunOptions
            {
                Granularities = granularities,
                Overlap = result.GetValue(overlap),
                EndToEndRepeats = result.GetValue(repeats),
                SpreadThreshold = result.GetValue(spread),
                Statistic = CliNames.Statistics[result.GetValue(statistic)!],
                FixedCostCorrection = result.GetValue(fixedCost),
                Profile = !result.GetValue(noProfile),
                Session = new ScenarioSessionOptions(IntraOpThreads: result.GetValue(threads)),
                Scenario = new ScenarioOptions(MinQueries: result.GetValue(queries), WarmupQueries: 5),
            };

            using var pinning = result.GetValue(pin) is { } cores ? CpuPinning.Apply(ParseInts(cores, "--pin")) : null;
            if (pinning is not null) Console.Error.WriteLine(pinning.Detail);

            var report = ValidationRunner.Run(result.GetValue(models)!, options, result.GetValue(work) ?? Path.Combine(outputDir, "splits"),
                measureBricks, new SplitCommand.SynchronousProgress(), token);
            foreach (var path in ValidationReportWriter.WriteAll(report, outputDir)) Console.WriteLine($"wrote {path}");
            Print(report);
            return report.Models.Any(r => r.MissingBricks.Count > 0) ? ExitCodes.PartialFailure : ExitCodes.Success;
        })));
        return command;
    }

    private static List<int> ParseInts(string text, string option)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw new InvalidDataException($"{option}: '{part}' is not an integer.");
            values.Add(value);
        }
        return values;
    }

    private static void Print(ValidationReport report)
    {
        var table = new Table().AddColumns("G", "models", "geomean normalized", "min", "max", "speedup", "untrustworthy");
        foreach (var s in report.Summary)
            table.AddRow(s.G.ToString(CultureInfo.InvariantCulture), s.Models.ToString(CultureInfo.InvariantCulture),
                s.GeomeanNormalized.ToString("0.###", CultureInfo.InvariantCulture), s.MinNormalized.ToString("0.###", CultureInfo.InvariantCulture),
                s.MaxNormalized.ToString("0.###", CultureInfo.InvariantCulture), s.Speedup.ToString("0.##", CultureInfo.InvariantCulture) + "x",
                s.Untrustworthy.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }
}
