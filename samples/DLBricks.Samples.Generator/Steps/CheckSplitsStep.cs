using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// Splits each model on its own, in memory, before the shared split: a model the splitter or ONNX Runtime cannot handle
/// leaves the run here with its own error line instead of failing the joint split of all models. The layer hashes kept
/// feed the repetition statistics and the Jaccard heatmap.
/// </summary>
public sealed class CheckSplitsStep : ISampleStep
{
    /// <inheritdoc />
    public string Name => "check splits";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        var g = run.Options.Granularities.Min();
        foreach (var model in run.Models.ToList())
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            run.Progress.Report($"{model.Name}: reading the layer graph");
            try
            {
                var split = SplitRunner.SplitInMemory(model.Path, new SplitOptions { Granularity = g, Bindings = _ => model.Bindings, Cache = run.GraphCache });
                // Only the hashes stay: a corpus's graphs hold every model's weights (15 GB for the full corpus).
                run.Splits[model.Name] = split.Hashes();
                run.Progress.Report($"{model.Name}: {split.Graph.Layers.Count} layers");
            }
            catch (Exception e) when (e is InvalidModelException or InvalidDataException or OnnxRuntimeException or NotSupportedException)
            {
                run.Fail(model.Name, e.Message.ReplaceLineEndings(" "));
            }
        }
    }
}
