using System.Text.RegularExpressions;

namespace DLBricks;

/// <summary>The stage a <see cref="BricksProgress"/> event comes from.</summary>
public enum BricksStage
{
    /// <summary>Reading, probing and splitting models into bricks (and auditing the split's public files).</summary>
    Split,
    /// <summary>Benchmarking bricks.</summary>
    Bench,
    /// <summary>Estimating models from stored brick results.</summary>
    Estimate,
    /// <summary>Measuring models end to end against their bricks.</summary>
    Validate,
}

/// <summary>
/// One progress event of a <see cref="Bricks"/> call: which stage, which model (when the event concerns one), how far the
/// stage is (<see cref="Done"/> of <see cref="Total"/> models or bricks), and a one-line message for people.
/// </summary>
/// <param name="Stage">The stage reporting.</param>
/// <param name="Model">Model name (file name without extension), or null for an event about the whole run.</param>
/// <param name="Done">Items of the stage finished so far.</param>
/// <param name="Total">Items the stage has (models, or bricks for <see cref="BricksStage.Bench"/>); 0 when unknown.</param>
/// <param name="Message">What is happening, as a line for a log.</param>
public sealed record BricksProgress(BricksStage Stage, string? Model, int Done, int Total, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Total > 0 ? $"[{Stage.ToString().ToLowerInvariant()} {Done}/{Total}] {Message}" : Message;
}

/// <summary>
/// Turns the stages' text progress into <see cref="BricksProgress"/> events. The stages report lines such as
/// <c>"resnet: splitting 52 layers at G=1"</c> or <c>"brick 3/17 ..."</c>; this reads the model name and counters out of them,
/// so the stages themselves keep their simple <see cref="IProgress{T}"/> of string.
/// </summary>
internal sealed class StageProgress(BricksStage stage, IReadOnlyList<string> models, IProgress<BricksProgress> sink) : IProgress<string>
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="sink"/>, or returns null when there is none.</summary>
    public static StageProgress? For(BricksStage stage, IReadOnlyList<string> models, IProgress<BricksProgress>? sink) =>
        sink is null ? null : new StageProgress(stage, models, sink);

    public void Report(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var model = colon > 0 && models.Contains(value[..colon]) ? value[..colon] : null;
        int done, total;
        if (Counter().Match(value) is { Success: true } m)
        {
            done = int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            total = int.Parse(m.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            // A model's first line means the ones before it are done.
            if (model is not null) _seen.Add(model);
            done = Math.Max(0, _seen.Count - (model is null ? 0 : 1));
            total = models.Count;
        }
        sink.Report(new BricksProgress(stage, model, done, total, value));
    }

    // Not [GeneratedRegex]: its generated namespace would sit outside the library's stages (see LayeringTests).
    private static readonly Regex CounterPattern = new(@"\b(\d+)/(\d+)\b", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private static Regex Counter() => CounterPattern;
}
