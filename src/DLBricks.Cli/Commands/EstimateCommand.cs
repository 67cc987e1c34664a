using System.CommandLine;
using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Export;
using DLBricks.Reporting;
using DLBricks.Storage;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks estimate RECIPE... --store FILE</c>: composes model latencies from stored brick results, names missing
/// bricks, and optionally writes JSON. Exit code 1 when any estimate lacks bricks.
/// </summary>
internal static class EstimateCommand
{
    /// <param name="openStore">
    /// WIRING: opens the result store at a path — the catalog passes the SQLite store here
    /// (e.g. <c>path =&gt; new SqliteResultStore(path)</c>) once Storage lands.
    /// </param>
    public static Command Create(Func<string, IResultStore> openStore)
    {
        var recipes = new Argument<string[]>("RECIPE") { Description = "Recipe files, or split folders (their recipes/ are read).", Arity = ArgumentArity.OneOrMore };
        var store = new Option<string>("--store") { Description = "Result store (SQLite file).", Required = true };
        var system = new Option<string?>("--system") { Description = "System key; optional when the store holds one system." };
        var config = new Option<string?>("--config") { Description = "Configuration key; optional when the store holds one configuration." };
        var statistic = new Option<string>("--statistic") { Description = "Per-brick statistic.", DefaultValueFactory = _ => "median" };
        statistic.AcceptOnlyFromAmong(CliNames.Statistics.Keys.ToArray());
        var mode = new Option<string>("--mode") { Description = "Which estimates to compute.", DefaultValueFactory = _ => "all" };
        mode.AcceptOnlyFromAmong(["all", .. CliNames.Modes.Keys]);
        var fixedCost = new Option<bool>("--fixed-cost") { Description = "Subtract the stored per-call harness cost for all but one brick run." };
        var json = new Option<string?>("--json") { Description = "Also write the estimates as JSON to this file." };
        var top = new Option<int>("--top") { Description = "Top contributors to print per model.", DefaultValueFactory = _ => 5 };

        var command = new Command("estimate", "Estimate model latency from benchmarked bricks (sequential, critical path, overlap).")
        {
            recipes, store, system, config, statistic, mode, fixedCost, json, top,
        };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var loaded = LoadRecipes(result.GetValue(recipes)!);
            using var results = openStore(result.GetValue(store)!);
            var (systemKey, configKey) = Select(results, result.GetValue(store)!, result.GetValue(system), result.GetValue(config));
            var latencies = BrickLatencies.FromResults(results.GetResults(systemKey, configKey).Values);

            var corrections = new List<IEstimateCorrection>();
            if (result.GetValue(fixedCost))
            {
                corrections.Add(FixedCostCorrection.FromStore(results, systemKey, configKey)
                    ?? throw new InvalidDataException($"{result.GetValue(store)}: no per-call calibration stored for system {systemKey}, configuration {configKey}; measure it with bench first or drop --fixed-cost."));
            }
            var options = new EstimateOptions(CliNames.Statistics[result.GetValue(statistic)!], corrections);
            var selected = result.GetValue(mode)!;
            var estimator = selected == "all" ? new ModelEstimator() : new ModelEstimator([ModelEstimator.For(CliNames.Modes[selected])]);

            var estimates = loaded.Select(r => estimator.Estimate(r, latencies, options)).ToList();
            Console.Write(EstimateTextWriter.ToText(estimates, result.GetValue(top)));
            if (result.GetValue(json) is { } jsonPath)
            {
                EstimateJsonWriter.Write(estimates, jsonPath);
                Console.WriteLine($"wrote {jsonPath}");
            }
            var incomplete = estimates.Count(m => m.Estimates.Any(e => !e.IsComplete));
            if (incomplete == 0) return ExitCodes.Success;
            Console.Error.WriteLine($"{incomplete} model(s) have bricks without results; their estimates are lower bounds (missing bricks listed above).");
            return ExitCodes.PartialFailure;
        }));
        return command;
    }

    private static List<ModelRecipe> LoadRecipes(IEnumerable<string> paths)
    {
        var recipes = new List<ModelRecipe>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var folder = Directory.Exists(Path.Combine(path, ModelRecipe.FolderName)) ? Path.Combine(path, ModelRecipe.FolderName) : path;
                var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new InvalidDataException($"{path}: no recipes found (expected {ModelRecipe.FolderName}/*.json).");
                recipes.AddRange(files.Select(ModelRecipe.Load));
            }
            else
            {
                recipes.Add(ModelRecipe.Load(path));
            }
        }
        return recipes;
    }

    private static (string System, string Configuration) Select(IResultStore store, string storePath, string? system, string? configuration)
    {
        var pairs = store.ListSystems()
            .Where(p => system is null || p.System.Key == system)
            .Where(p => configuration is null || p.Configuration.Key == configuration)
            .ToList();
        if (pairs.Count == 1) return (pairs[0].System.Key, pairs[0].Configuration.Key);
        if (pairs.Count == 0)
            throw new InvalidDataException($"{storePath}: no results for system {system ?? "(any)"}, configuration {configuration ?? "(any)"}.");
        var choices = string.Join("; ", pairs.Select(p => $"--system {p.System.Key} --config {p.Configuration.Key} ({p.System.CpuModel}, {p.Configuration.ExecutionProvider}, {p.Configuration.Job})"));
        throw new InvalidDataException($"{storePath}: holds several systems/configurations; choose one: {choices}.");
    }
}

/// <summary>How statistics and estimation modes are spelled on the command line.</summary>
internal static class CliNames
{
    public static IReadOnlyDictionary<string, LatencyStatistic> Statistics { get; } = new Dictionary<string, LatencyStatistic>
    {
        ["median"] = LatencyStatistic.Median,
        ["mean"] = LatencyStatistic.Mean,
        ["trimmed-mean"] = LatencyStatistic.TrimmedMean,
        ["p90"] = LatencyStatistic.P90,
        ["min"] = LatencyStatistic.Min,
    };

    public static IReadOnlyDictionary<string, EstimationMode> Modes { get; } =
        Enum.GetValues<EstimationMode>().ToDictionary(EstimateTextWriter.ModeName, m => m);
}
