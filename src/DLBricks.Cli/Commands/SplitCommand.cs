using System.CommandLine;
using Spectre.Console;

namespace DLBricks.Cli.Commands;

/// <summary><c>dlbricks split MODEL... -g N -o DIR</c>: writes bricks, catalog.json and recipes.</summary>
internal static class SplitCommand
{
    public static Command Create()
    {
        var models = new Argument<string[]>("MODEL") { Description = "ONNX model files.", Arity = ArgumentArity.OneOrMore };
        var g = new Option<int>("-g", "--granularity") { Description = "G: the most layers per brick.", DefaultValueFactory = _ => 1 };
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
        var command = new Command("split", "Split models into deduplicated G-layer bricks.") { models, g, output, overlap, noVerify, noAudit, ep };
        source.AddTo(command);
        inputs.AddTo(command);
        command.SetAction((result, token) => Task.FromResult(CliErrors.Run(() =>
        {
            var granularity = result.GetValue(g);
            if (granularity < 1) throw new InvalidModelException($"-g {granularity}: G must be at least 1.");
            var options = new SplitOptions
            {
                Granularity = granularity,
                Source = source.Read(result) with { Provider = result.GetValue(ep)! },
                Overlap = result.GetValue(overlap),
                VerifyWithRuntime = !result.GetValue(noVerify),
                Bindings = inputs.Bindings(result),
                PrivacyAudit = !result.GetValue(noAudit),
            };
            var split = SplitRunner.Run(result.GetValue(models)!, options, result.GetValue(output)!, new SynchronousProgress(), token);
            Print(split, granularity);
            return CliErrors.ReportFailures(split.Failures);
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
