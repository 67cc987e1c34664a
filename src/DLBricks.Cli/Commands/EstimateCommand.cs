using DLBricks.Splitting;
using DLBricks.Validation;
using System.CommandLine;
using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Reporting;
using DLBricks.Storage;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks estimate MODEL...</c>: a model's latency from bricks benchmarked on a system, without running the model. The model
/// is split privately in memory at G; missing bricks are named (exit 1) or, with <c>--bench-missing</c>, benchmarked first.
/// Recipe files or split folders are accepted in place of models.
/// </summary>
internal static class EstimateCommand
{
    /// <param name="openStore">Opens the store at a path (tests pass an in-memory store); default: SQLite, which must exist unless bricks will be measured.</param>
    public static Command Create(Func<string, bool, IResultStore>? openStore = null)
    {
        var defaults = BricksOptions.Default;
        var models = new Argument<string[]>("MODEL") { Description = "ONNX models (or recipe .json files / split folders).", Arity = ArgumentArity.OneOrMore };
        var stores = new ResultStoreOptions();
        var g = new Option<int>("-g", "--granularity") { Description = "G used to split the model.", DefaultValueFactory = _ => defaults.Granularity };
        var estimators = new RenamedOption<string>(new Option<string>("--estimators")
        {
            Description = "Which estimates to compute: all, sequential, critical-path or overlap.",
            DefaultValueFactory = _ => "all",
        }, "--mode", CliVocabulary.EstimatorSets.Keys.ToArray());
        var benchMissing = new Option<bool>("--bench-missing") { Description = "Benchmark bricks that have no result yet (on this machine), then estimate." };
        var system = new Option<string?>("--system") { Description = "System key to estimate for (default: this machine)." };
        var config = new Option<string?>("--config") { Description = "Configuration key (default: the one --ep/--threads/--session-level/--quick/--clock describe)." };
        var statistic = new Option<string>("--statistic") { Description = "Per-brick statistic.", DefaultValueFactory = _ => CliVocabulary.StatisticName(defaults.Statistic) };
        statistic.AcceptOnlyFromAmong(CliVocabulary.Statistics.Keys.ToArray());
        var fixedCost = new Option<bool>("--fixed-cost") { Description = "Subtract the stored per-call harness cost for all but one brick run (off by default: docs/estimation.md explains why)." };
        var json = new Option<string?>("--json") { Description = "Also write the estimates as JSON to this file." };
        var top = new Option<int>("--top") { Description = "Top contributors to print per model.", DefaultValueFactory = _ => 5 };
        var session = new SessionCliOptions();
        var source = new LayerSourceCliOptions();
        var inputs = new ModelInputOptions();
        var splitCost = new SplitCostCliOptions();

        var command = new Command("estimate", "Estimate model latency from benchmarked bricks (sequential, critical path, overlap).")
        {
            models, g, benchMissing, system, config, statistic, fixedCost, json, top,
        };
        estimators.AddTo(command);
        stores.AddTo(command);
        session.AddTo(command);
        source.AddTo(command);
        inputs.AddTo(command);
        splitCost.AddTo(command, jobs: false);
        command.SetAction((result, token) => Task.Run(() => CliErrors.Run(() =>
        {
            var options = source.Apply(result, session.Apply(result, defaults))
                .WithGranularity(result.GetValue(g))
                .WithEstimators(CliVocabulary.EstimatorSets[estimators.GetValue(result)])
                .WithStatistic(CliVocabulary.Statistics[result.GetValue(statistic)!])
                .WithFixedCost(result.GetValue(fixedCost))
                .WithBenchMissing(result.GetValue(benchMissing))
                .WithTarget(result.GetValue(system), result.GetValue(config))
                .WithInputs(inputs.Bindings(result))
                with { GraphCache = splitCost.ReadCache(result) };
            options.EnsureGranularity();
            var dbPath = stores.Describe(result);
            using var store = openStore is null ? stores.Open(result, mustExist: !options.BenchMissing) : openStore(dbPath, options.BenchMissing);
            var summary = Bricks.Estimate(result.GetValue(models)!, store, options, ProgressLines.Instance, token);
            var estimates = summary.Models.Results().Select(m => m.Details).ToList();
            var failures = summary.Models.Failures();
            var reuses = summary.Models.Results().Select(m => m.Reuse).OfType<BrickReuse>().ToList();
            if (estimates.Count == 0)
                throw new InvalidModelException(failures.Count == 1 ? failures[0].Reason : $"no model could be estimated: {string.Join("; ", failures.Select(f => f.Reason))}");

            Console.Write(EstimateTextWriter.ToText(estimates, result.GetValue(top)));
            // What the store already held: the point of a shared store is that a new model costs only its new bricks.
            foreach (var reuse in reuses) Console.WriteLine(reuse);
            if (reuses.Count > 1)
                Console.WriteLine($"all models: brick cache hit rate {BrickReuse.Percent((double)reuses.Sum(r => r.AlreadyMeasured) / Math.Max(1, reuses.Sum(r => r.UniqueBricks)))} " +
                                  $"({reuses.Sum(r => r.AlreadyMeasured)} of {reuses.Sum(r => r.UniqueBricks)} unique bricks per model already measured); " +
                                  $"time saved ≥ {reuses.Sum(r => r.SavedMeasuredMs) / 1000:0.00} s");
            if (result.GetValue(json) is { } jsonPath)
            {
                EstimateJsonWriter.Write(estimates, jsonPath);
                Console.WriteLine($"wrote {jsonPath}");
            }
            var incomplete = summary.Incomplete;
            if (CliErrors.ReportFailures(failures) != ExitCodes.Success && incomplete.Count == 0) return ExitCodes.PartialFailure;
            if (incomplete.Count == 0) return ExitCodes.Success;
            foreach (var m in incomplete)
            {
                var missing = m.Missing;
                Console.Error.WriteLine($"{m.Model}: {missing.Count} brick(s) have no result for system {summary.SystemKey}, configuration {summary.ConfigurationKey}: " +
                                        string.Join(", ", missing.Take(10).Select(x => $"{x.Hash[..Math.Min(12, x.Hash.Length)]} ({x.Reason})")) + (missing.Count > 10 ? ", ..." : ""));
            }
            Console.Error.WriteLine("estimates above are lower bounds; benchmark the missing bricks (dlbricks bench, or estimate --bench-missing).");
            return ExitCodes.PartialFailure;
        }), CancellationToken.None));
        return command;
    }
}
