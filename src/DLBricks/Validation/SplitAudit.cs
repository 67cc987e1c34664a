using System.Diagnostics;
using DLBricks.Benchmarking;
using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Splitting;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Validation;

/// <summary>A model to audit: its name, file and input bindings.</summary>
/// <param name="Name">Model name used in the report.</param>
/// <param name="Path">ONNX file.</param>
/// <param name="Bindings">Dims, shapes and integer values for its inputs.</param>
public sealed record SplitAuditModel(string Name, string Path, ModelInputBindings Bindings);

/// <summary>What <see cref="SplitAudit"/> checks.</summary>
public sealed record SplitAuditOptions
{
    /// <summary>Granularities to split every model at (the corpus check uses 1..6).</summary>
    public IReadOnlyList<int> Granularities { get; init; } = [1, 2, 3, 4, 5, 6];

    /// <summary>Layer source, as for <c>split</c>.</summary>
    public LayerSourceOptions Source { get; init; } = LayerSourceOptions.Default;

    /// <summary>How bricks are run: the benchmark's own configuration, so a brick that passes here also runs in <c>bench</c>.</summary>
    public RunConfiguration Configuration { get; init; } = BenchmarkJob.Quick.Configuration("cpu", null, 1, 0, "sequential", "all");

    /// <summary>Where optimized graphs and probes are kept between runs (<see cref="GraphCache"/>); null: none.</summary>
    public GraphCache? Cache { get; init; }
}

/// <summary>One model at one G.</summary>
/// <param name="Model">Model name.</param>
/// <param name="G">Granularity.</param>
/// <param name="Layers">Layers of the model.</param>
/// <param name="Bricks">Bricks in its split (occurrences).</param>
/// <param name="UniqueBricks">Distinct bricks in its split.</param>
/// <param name="NewBricks">Bricks not seen in earlier models at this G (each run once here).</param>
/// <param name="FailedBricks">Distinct bricks of this split that did not load or run.</param>
public sealed record SplitAuditRow(string Model, int G, int Layers, int Bricks, int UniqueBricks, int NewBricks, int FailedBricks);

/// <summary>A model that could not be split, or a brick that did not load or run.</summary>
/// <param name="Model">Model name.</param>
/// <param name="G">Granularity, when the failure is a brick's.</param>
/// <param name="BrickHash">The brick, when the failure is a brick's.</param>
/// <param name="Message">One line: what failed and why.</param>
public sealed record SplitAuditFailure(string Model, int? G, string? BrickHash, string Message);

/// <summary>The audit's findings.</summary>
/// <param name="Rows">One row per model and G, in model order then G order.</param>
/// <param name="Failures">Everything that failed; empty when every model split at every G and every brick ran.</param>
/// <param name="BricksRun">Distinct bricks loaded and run once (across all G: a brick's hash does not depend on G).</param>
/// <param name="Elapsed">Wall time of the audit.</param>
public sealed record SplitAuditReport(IReadOnlyList<SplitAuditRow> Rows, IReadOnlyList<SplitAuditFailure> Failures, int BricksRun, TimeSpan Elapsed)
{
    /// <summary>True when every model split at every G and all its bricks loaded and ran.</summary>
    public bool AllPassed => Failures.Count == 0;

    /// <summary>Distinct bricks across all models at <paramref name="g"/>.</summary>
    public int UniqueBricksAt(int g) => Rows.Where(r => r.G == g).Sum(r => r.NewBricks);
}

/// <summary>
/// Checks that models split at several granularities and that every brick of every split loads and runs once in ONNX
/// Runtime, without writing anything or measuring: the cheap proof that a corpus is usable at every G before spending
/// benchmark time on it. Each model is read and probed once and split at every G; each distinct brick is materialized,
/// run once and released before the next, so memory stays that of one model plus one brick.
/// </summary>
public static class SplitAudit
{
    /// <summary>Audits <paramref name="models"/>; a model that fails is recorded and the others go on.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ExecutionProviderUnavailableException">The configuration asks for a provider this ONNX Runtime lacks.</exception>
    public static SplitAuditReport Run(IReadOnlyList<SplitAuditModel> models, SplitAuditOptions options, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Granularities.Count == 0 || options.Granularities.Any(g => g < 1))
            throw new ArgumentException("granularities must be positive and at least one.", nameof(options));
        SessionOptionsFactory.EnsureAvailable(options.Configuration);

        var watch = Stopwatch.StartNew();
        // Bricks cut from an optimized graph are already optimized; running them as bench does means optimizations off.
        var runConfiguration = options.Configuration.ForBricks(options.Source.ToInfo().Kind);
        var loads = new Dictionary<string, bool>(StringComparer.Ordinal);
        var runs = new Dictionary<string, string?>(StringComparer.Ordinal);
        var seenAtG = options.Granularities.Distinct().ToDictionary(g => g, _ => new HashSet<string>(StringComparer.Ordinal));
        var rows = new List<SplitAuditRow>();
        var failures = new List<SplitAuditFailure>();

        bool Loads(CanonicalBrick brick)
        {
            if (!loads.TryGetValue(brick.Hash, out var ok))
                loads[brick.Hash] = ok = TryLoad(brick);
            return ok;
        }

        string? RunOnce(CanonicalBrick brick)
        {
            if (runs.TryGetValue(brick.Hash, out var known)) return known;
            string? error = null;
            try
            {
                using var runner = OnnxModelRunner.Open(BrickMaterializer.ToBytes(brick), runConfiguration, brick.Inputs, brick.Outputs,
                    SyntheticInputs.SeedFrom(brick.Hash));
                runner.Run();
            }
            catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException or NotSupportedException)
            {
                error = e.Message.ReplaceLineEndings(" ");
            }
            runs[brick.Hash] = error;
            return error;
        }

        foreach (var model in models)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LayerGraph graph;
            try
            {
                progress?.Report($"{model.Name}: reading and probing shapes");
                // The bricks run under the audit's provider, so they are cut from the graph optimized for it.
                graph = LayerGraphBuilder.Build(model.Path, options.Source with { Provider = options.Configuration.ExecutionProvider }, model.Bindings,
                    options.Cache, times: null);
            }
            catch (Exception e) when (e is InvalidModelException or InvalidDataException or OnnxRuntimeException or NotSupportedException or IOException)
            {
                failures.Add(new SplitAuditFailure(model.Name, null, null, e.Message.ReplaceLineEndings(" ")));
                progress?.Report($"{model.Name}: FAILED {e.Message.ReplaceLineEndings(" ")}");
                continue;
            }

            foreach (var g in seenAtG.Keys)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ModelSplit split;
                try
                {
                    split = ModelSplitter.Split(graph, g, accept: Loads);
                }
                catch (Exception e) when (e is InvalidModelException or InvalidOperationException or NotSupportedException)
                {
                    failures.Add(new SplitAuditFailure(model.Name, g, null, $"split at G={g}: {e.Message.ReplaceLineEndings(" ")}"));
                    continue;
                }
                var distinct = split.Pieces.Select(p => p.Brick).DistinctBy(b => b.Hash).ToList();
                var fresh = 0;
                var failed = 0;
                foreach (var brick in distinct)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (seenAtG[g].Add(brick.Hash)) fresh++;
                    if (RunOnce(brick) is not { } error) continue;
                    failed++;
                    if (!failures.Any(f => f.BrickHash == brick.Hash && f.Model == model.Name))
                        failures.Add(new SplitAuditFailure(model.Name, g, brick.Hash,
                            $"brick {brick.Hash[..12]} ({string.Join("+", brick.Spec.Layers.Select(l => l.QualifiedOpType))}) does not run: {error}"));
                }
                rows.Add(new SplitAuditRow(model.Name, g, graph.Layers.Count, split.Pieces.Count, distinct.Count, fresh, failed));
                progress?.Report($"{model.Name}: G={g} {graph.Layers.Count} layers -> {split.Pieces.Count} bricks ({distinct.Count} distinct, {fresh} new){(failed > 0 ? $", {failed} FAILED" : "")}");
            }
        }
        return new SplitAuditReport(rows, failures, runs.Count, watch.Elapsed);
    }

    private static bool TryLoad(CanonicalBrick brick)
    {
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            using var session = new InferenceSession(BrickMaterializer.ToBytes(brick), options);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            return false;
        }
    }
}
