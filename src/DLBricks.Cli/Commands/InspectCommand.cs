using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DLBricks.Graph;
using DLBricks.Reporting;
using DLBricks.Splitting;
using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary><c>dlbricks inspect MODEL...</c>: layer repetition within and across models.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var models = new Argument<string[]>("MODEL") { Description = "ONNX model files.", Arity = ArgumentArity.OneOrMore };
        var g = new Option<int>("-g", "--granularity") { Description = "G for the brick counts.", DefaultValueFactory = _ => BricksOptions.Default.Granularity };
        var json = new Option<string?>("--json") { Description = "Write the statistics as JSON to this file." };
        var plot = new Option<string?>("--plot") { Description = "Write the Jaccard similarity heatmap as PNG to this file." };
        var source = new LayerSourceCliOptions();
        var inputs = new ModelInputOptions();
        var command = new Command("inspect", "Layer repetition statistics (per model, across models, Jaccard grid).") { models, g, json, plot };
        source.AddTo(command);
        inputs.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            var granularity = result.GetValue(g);
            if (granularity < 1) throw new InvalidModelException($"-g {granularity}: G must be at least 1.");
            var bindings = inputs.Bindings(result);
            var layerSource = source.Read(result);
            var splits = new List<SplitHashes>();
            var failures = new List<ModelFailure>();
            foreach (var path in result.GetValue(models)!)
            {
                var name = Path.GetFileNameWithoutExtension(path);
                Console.Error.WriteLine($"{name}: reading and probing shapes");
                try
                {
                    var graph = LayerGraphBuilder.Build(path, layerSource, bindings(name));
                    splits.Add(ModelSplitter.Split(graph, granularity).Hashes());
                }
                catch (Exception e) when (ModelFailure.IsPerModel(e))
                {
                    failures.Add(ModelFailure.From(name, "inspect", e, path));
                }
            }
            if (splits.Count == 0)
                throw new InvalidModelException(failures.Count == 1 ? failures[0].Reason : $"no model could be inspected: {string.Join("; ", failures.Select(f => f.Reason))}");
            var stats = RepetitionStatistics.Of(splits);
            Print(stats, granularity);
            if (result.GetValue(json) is { } jsonPath)
            {
                File.WriteAllText(jsonPath, JsonSerializer.Serialize(stats, Splitting.CatalogJson.Options));
                Console.WriteLine($"wrote {jsonPath}");
            }
            if (result.GetValue(plot) is { } plotPath)
            {
                JaccardHeatmap.Save(stats, plotPath);
                Console.WriteLine($"wrote {plotPath}");
            }
            return CliErrors.ReportFailures(failures);
        }));
        return command;
    }

    private static void Print(RepetitionStatistics stats, int g)
    {
        var table = new Table().AddColumns("model", "layers", "unique layers", "% unique", $"bricks (G={g})", "unique bricks");
        foreach (var m in stats.Models)
            table.AddRow(m.Model, m.Layers.ToString(CultureInfo.InvariantCulture), m.UniqueLayers.ToString(CultureInfo.InvariantCulture),
                m.UniquePercent.ToString("0.0", CultureInfo.InvariantCulture), m.Bricks.ToString(CultureInfo.InvariantCulture),
                m.UniqueBricks.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        Console.WriteLine($"across models: {stats.TotalLayers} layers -> {stats.UniqueLayers} unique; {stats.TotalBricks} bricks -> {stats.UniqueBricks} unique (G={g})");
        if (stats.Models.Count > 1)
        {
            var grid = new Table().AddColumn("Jaccard");
            foreach (var m in stats.Models) grid.AddColumn(m.Model);
            for (var i = 0; i < stats.Models.Count; i++)
                grid.AddRow(new[] { stats.Models[i].Model }.Concat(stats.Jaccard[i].Select(v => v.ToString("0.00", CultureInfo.InvariantCulture))).ToArray());
            AnsiConsole.Write(grid);
        }
    }
}
