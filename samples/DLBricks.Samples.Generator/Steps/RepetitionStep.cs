using DLBricks.Splitting;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>Counts layer repetition within and across the models that made it through validation (paper Section 3).</summary>
internal sealed class RepetitionStep : ISampleStep
{
    /// <inheritdoc />
    public string Name => "repetition";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        var splits = run.Models.Where(m => run.Splits.ContainsKey(m.Name)).Select(m => run.Splits[m.Name]).ToList();
        if (splits.Count == 0) return;
        run.Repetition = RepetitionStatistics.Of(splits);
        run.Progress.Report($"{run.Repetition.TotalLayers} layers over {splits.Count} models, {run.Repetition.UniqueLayers} unique");
    }
}
