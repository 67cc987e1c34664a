using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DLBricks.Storage;
using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary>
/// <c>dlbricks advise MODEL --store URL</c>: splits the model privately in memory and ranks every system and configuration of
/// the store by the model's estimated latency there, fastest first.
/// </summary>
internal static class AdviseCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "ONNX model file (read locally; nothing about it is written to the store)." };
        var g = new Option<int>("-g", "--granularity") { Description = "G used when the bricks were split.", DefaultValueFactory = _ => BricksOptions.Default.Granularity };
        var json = new Option<string?>("--json") { Description = "Also write the ranking as JSON to this file." };
        var store = new ResultStoreOptions(defaultDb: null);
        var source = new LayerSourceCliOptions();
        var inputs = new ModelInputOptions();
        var command = new Command("advise", "Rank the systems and configurations of a results store by a model's estimated latency.") { model, g, json };
        store.AddTo(command);
        source.AddTo(command);
        inputs.AddTo(command);
        command.SetAction((result, _) => Task.FromResult(CliErrors.Run(() =>
        {
            var granularity = result.GetValue(g);
            if (granularity < 1)
                throw new InvalidModelException($"-g {granularity}: G must be at least 1.");
            try
            {
                store.Validate(result);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
            var path = result.GetValue(model)!;
            var options = new SplitOptions { Granularity = granularity, Source = source.Read(result), Bindings = inputs.Bindings(result), VerifyWithRuntime = false };
            var recipe = SplitRunner.SplitInMemory(path, options).ToRecipe(options.Source.ToInfo()) with
            {
                Model = Path.GetFileNameWithoutExtension(path),
            };
            ModelAdvice advice;
            try
            {
                using var results = store.Open(result, mustExist: true);
                advice = Advisor.Advise(recipe, results);
            }
            catch (ResultStoreUnavailableException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Unavailable;
            }
            catch (System.Data.Common.DbException e)
            {
                Console.Error.WriteLine($"error: {store.Describe(result)}: {store.Redact(result, e.Message)}");
                return ExitCodes.Unavailable;
            }
            Print(advice, store.Describe(result));
            if (result.GetValue(json) is { } jsonPath)
            {
                WriteJson(advice, jsonPath);
                Console.WriteLine($"wrote {jsonPath}");
            }
            return advice.Ranking.Count == 0 ? ExitCodes.PartialFailure : ExitCodes.Success;
        })));
        return command;
    }

    private static void Print(ModelAdvice advice, string location)
    {
        if (advice.Ranking.Count == 0)
        {
            Console.WriteLine($"{advice.Model}: none of its {advice.UniqueBricks} bricks (G={advice.Granularity}) has a result in {location}; " +
                              "split and bench it there first.");
            return;
        }
        var table = new Table().AddColumns("#", "system", "cpu", "cores", "configuration", "estimate (ms)", "coverage");
        var rank = 0;
        foreach (var a in advice.Ranking)
        {
            var c = a.Configuration;
            var configuration = $"{c.ExecutionProvider}{(c.DeviceId is { } d ? $":{d}" : "")} t={c.IntraOpThreads}/{c.InterOpThreads} {c.ExecutionMode} {c.OptimizationLevel} {c.Job}";
            var estimate = a.EstimateMs.ToString("F3", CultureInfo.InvariantCulture) + (a.IsComplete ? "" : " (partial)");
            table.AddRow((++rank).ToString(CultureInfo.InvariantCulture), a.System.Key, Markup.Escape(a.System.CpuModel),
                a.System.LogicalCores.ToString(CultureInfo.InvariantCulture), Markup.Escape(configuration), estimate,
                $"{a.MeasuredBricks}/{a.NeededBricks}");
        }
        Console.WriteLine($"{advice.Model}: {advice.Occurrences} bricks, {advice.UniqueBricks} unique (G={advice.Granularity}), results from {location}");
        AnsiConsole.Write(table);
    }

    private static void WriteJson(ModelAdvice advice, string path)
    {
        var options = new JsonSerializerOptions(ResultsArchive.JsonOptions);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var staging = full + ".tmp-" + Environment.ProcessId;
        try
        {
            File.WriteAllText(staging, JsonSerializer.Serialize(advice, options));
            File.Move(staging, full, overwrite: true);
        }
        finally
        {
            File.Delete(staging);
        }
    }
}
