using DLBricks.Validation;
using DLBricks.Benchmarking;
using DLBricks.Corpus.Manifests;
using DLBricks.Graph;
using DLBricks.Reporting;
using DLBricks.Splitting;
using DLBricks.Storage;
using Spectre.Console;

namespace DLBricks.Samples.Generator;

/// <summary>One model taking part in the run.</summary>
/// <param name="Name">Manifest name; also the file stem the splitter and the report key on.</param>
/// <param name="Manifest">Its manifest.</param>
/// <param name="Path">The .onnx file.</param>
/// <param name="Bindings">Shapes, dims and values from the manifest.</param>
public sealed record SampleModel(string Name, ModelManifest Manifest, string Path, ModelInputBindings Bindings);

/// <summary>
/// The state the steps of one sample run share: resolved locations, the models still in the run, what each step produced,
/// and the failures and notes collected on the way (a failing model leaves the run; the others go on).
/// </summary>
public sealed class SampleRun
{
    internal SampleRun(SampleOptions options, string? repositoryRoot, IAnsiConsole console, IProgress<string> progress, CancellationToken cancellationToken)
    {
        Options = options;
        RepositoryRoot = repositoryRoot;
        Console = console;
        Progress = progress;
        CancellationToken = cancellationToken;
        OutputDirectory = Path.GetFullPath(options.OutputDirectory);
        DatabasePath = Path.GetFullPath(options.DatabasePath);
        ManifestsDirectory = Path.GetFullPath(options.ManifestsDirectory ?? InRepository("models-corpus", "manifests"));
        CacheDirectory = Path.GetFullPath(options.CacheDirectory ?? InRepository(".cache", "models"));
        // Beside the model cache: the optimized graphs and probes of those models, keyed by their bytes (never stale).
        GraphCache = new GraphCache(Path.Combine(Path.GetDirectoryName(CacheDirectory) ?? CacheDirectory, "graphs"));
    }

    /// <summary>
    /// Optimized graphs and shape probes of the models (<c>.cache/graphs</c> beside the model cache): the check step
    /// fills it and the splits of every later step, and of the next run, read it instead of running ONNX Runtime again.
    /// </summary>
    public GraphCache GraphCache { get; }

    /// <summary>What was asked for.</summary>
    public SampleOptions Options { get; }

    /// <summary>The repository root, when the sample runs inside a clone.</summary>
    public string? RepositoryRoot { get; }

    /// <summary>Where tables go.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Where progress lines go.</summary>
    public IProgress<string> Progress { get; }

    /// <summary>Stops the run between steps, models and bricks.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Manifest folder.</summary>
    public string ManifestsDirectory { get; }

    /// <summary>Cache of generated models.</summary>
    public string CacheDirectory { get; }

    /// <summary>Splits (split-g&lt;G&gt;) and the report folder live here.</summary>
    public string OutputDirectory { get; }

    /// <summary>The report folder.</summary>
    public string ReportDirectory => Path.Combine(OutputDirectory, "report");

    /// <summary>The SQLite results database.</summary>
    public string DatabasePath { get; }

    /// <summary>Manifests selected for the run.</summary>
    public List<ModelManifest> Manifests { get; } = [];

    /// <summary>Models still in the run, in manifest order.</summary>
    public List<SampleModel> Models { get; } = [];

    /// <summary>Per model, its split at the smallest G (layer hashes for the repetition statistics).</summary>
    public Dictionary<string, SplitHashes> Splits { get; } = new(StringComparer.Ordinal);

    /// <summary>The measurement job used.</summary>
    public BenchmarkJob? Job { get; set; }

    /// <summary>System the results are stored under.</summary>
    public SystemFingerprint? Fingerprint { get; set; }

    /// <summary>Configuration the results are stored under.</summary>
    public RunConfiguration? Configuration { get; set; }

    /// <summary>The validation's outcome.</summary>
    public ValidationReport? Report { get; set; }

    /// <summary>The split audit of an <c>--audit</c> run.</summary>
    public SplitAuditReport? Audit { get; set; }

    /// <summary>With <c>--reuse-demo</c>: the family added to a store of the other models' bricks, and what it reused.</summary>
    public Steps.ReuseDemoResult? ReuseDemo { get; set; }

    /// <summary>Layer and brick repetition across the models that were validated.</summary>
    public RepetitionStatistics? Repetition { get; set; }

    /// <summary>Files the run wrote (report, figures, summary).</summary>
    public List<string> WrittenFiles { get; } = [];

    /// <summary>One line per manifest or model that failed.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>One line per thing skipped on purpose (e.g. shared models absent on this machine).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Task of a model, in manifest spelling.</summary>
    public string TaskOf(string model) =>
        Models.FirstOrDefault(m => m.Name == model) is { } found ? ManifestParser.TaskName(found.Manifest.Task) : "?";

    /// <summary>Drops <paramref name="model"/> from the run and records why.</summary>
    public void Fail(string model, string reason)
    {
        Models.RemoveAll(m => m.Name == model);
        Splits.Remove(model);
        Failures.Add($"{model}: {reason}");
        Progress.Report($"FAILED {model}: {reason}");
    }

    private string InRepository(params string[] parts)
    {
        if (RepositoryRoot is null)
            throw new SampleSetupException($"cannot find {RepositoryLocator.Marker} above {Environment.CurrentDirectory}; run inside the clone or pass --manifests and --cache.");
        return Path.Combine([RepositoryRoot, .. parts]);
    }
}

/// <summary>The run cannot start or go on at all (no manifests folder, unusable database); the message is one line.</summary>
public sealed class SampleSetupException(string message, Exception? inner = null) : Exception(message, inner);
