using System.CommandLine;
using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary><c>dlbricks split MODEL... -g N -o DIR</c>: writes bricks, catalog.json and recipes.</summary>
internal static class SplitCommand
{
    public static Command Create()
    {
        var models = new Argument<string[]>("MODEL") { Description = "ONNX model files.", Arity = ArgumentArity.OneOrMore };
        var g = new Option<string>("-g", "--granularity")
        {
            Description = "G: the most layers per brick; several as 1,3,5 (each model is then read, optimized and probed once for all, and each G written to DIR/g<G>).",
            DefaultValueFactory = _ => "1",
        };
        var output = new Option<string>("-o", "--output") { Description = "Output folder (bricks/, catalog.json, recipes/).", Required = true };
        var overlap = new Option<bool>("--overlap") { Description = "Also emit every window of up to G consecutive layers." };
        var noVerify = new Option<bool>("--no-verify") { Description = "Write bricks without loading each in ONNX Runtime first (by default a refused multi-layer brick falls back to smaller ones and a refused single layer stops the split)." };
        var noAudit = new Option<bool>("--no-privacy-audit")
        {
            Description = "Skip the privacy audit of the public files (bricks/, catalog.json) against the models. Never publish such a split.",
        };
        var ep = new Option<string>("--ep")
        {
            Description = "Execution provider the optimized source is made for, the one the bricks will be benchmarked with: cpu or cuda.",
            DefaultValueFactory = _ => "cpu",
        };
        ep.AcceptOnlyFromAmong("cpu", "cuda");
        var source = new LayerSourceCliOptions();
        var inputs = new ModelInputOptions();
        var splitCost = new SplitCostCliOptions();
        var command = new Command("split", "Split models into deduplicated G-layer bricks.") { models, g, output, overlap, noVerify, noAudit, ep };
        source.AddTo(command);
        inputs.AddTo(command);
        splitCost.AddTo(command, jobs: true);
        command.SetAction((result, token) => Task.FromResult(CliErrors.Run(() =>
        {
            var granularities = CliNumbers.ParseInts(result.GetValue(g)!, "-g").Distinct().ToList();
            if (granularities.Count == 0 || granularities.Any(x => x < 1))
                throw new InvalidModelException($"-g {result.GetValue(g)}: G must be at least 1.");
            var options = new SplitOptions
            {
                Source = source.Read(result) with { Provider = result.GetValue(ep)! },
                Overlap = result.GetValue(overlap),
                VerifyWithRuntime = !result.GetValue(noVerify),
                Bindings = inputs.Bindings(result),
                PrivacyAudit = !result.GetValue(noAudit),
                Cache = splitCost.ReadCache(result),
                Jobs = splitCost.ReadJobs(result),
            };
            var folder = result.GetValue(output)!;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var splits = SplitRunner.Run(result.GetValue(models)!, options, granularities,
                k => granularities.Count == 1 ? folder : Path.Combine(folder, $"g{k}"), new SynchronousProgress(), token);
            for (var k = 0; k < splits.Count; k++) Print(splits[k], granularities[k]);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Console.Error.WriteLine($"split in {elapsed.TotalSeconds:0.0} s with {options.Jobs} job(s); time per phase, summed over jobs: {splits[0].PhaseTimes}" +
                                    (options.Cache is { } cache ? $"; graph cache {cache.Hits} hit(s), {cache.Misses} miss(es) in {cache.Folder}" : "; no graph cache"));
            return CliErrors.ReportFailures(splits.SelectMany(s => s.Failures).ToList());
        })));
        return command;
    }

    private static void Print(SplitResult split, int g)
    {
        var table = new Table().AddColumns("model", "inputs", "layers", "unique layers", $"bricks (G={g})", "unique bricks");
        foreach (var m in split.Models)
            table.AddRow(Markup.Escape(m.Model), Markup.Escape(DLBricks.Splitting.RecipeInput.Describe(m.Recipe.Inputs)), m.Layers.ToString(),
                m.UniqueLayers.ToString(), m.Bricks.ToString(), m.UniqueBricks.ToString());
        table.AddRow("[bold]all[/]", "", split.TotalLayers.ToString(), "", split.Models.Sum(m => m.Bricks).ToString(), split.UniqueBricks.ToString());
        AnsiConsole.Write(table);
        if (split.RefusedBricks.Count > 0)
            AnsiConsole.MarkupLine($"[yellow]{split.RefusedBricks.Count} multi-layer brick(s) were refused by ONNX Runtime and fell back to single layers.[/]");
        Console.WriteLine($"wrote {split.UniqueBricks} unique bricks to {Path.Combine(split.OutputDirectory!, "bricks")}, catalog.json and recipes/");
    }

    /// <summary>Prints progress lines on stderr as they happen (Progress&lt;T&gt; would post them to the thread pool out of order).</summary>
    internal sealed class SynchronousProgress : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }
}
