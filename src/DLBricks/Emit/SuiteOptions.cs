using DLBricks.Storage;

namespace DLBricks.Emit;

/// <summary>
/// How an emitted suite configures ONNX Runtime sessions. The defaults are those of <c>dlbricks bench</c>, so imported results
/// and bench results of the same machine differ only in the job.
/// </summary>
internal sealed record SuiteOptions
{
    /// <summary>Intra-op thread count (0 = ONNX Runtime default).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Inter-op thread count (0 = ONNX Runtime default).</summary>
    public int InterOpThreads { get; init; }

    /// <summary><c>sequential</c> or <c>parallel</c>.</summary>
    public string ExecutionMode { get; init; } = "sequential";

    /// <summary><c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c>.</summary>
    public string OptimizationLevel { get; init; } = "all";

    /// <summary>Replace an earlier emitted suite in the target folder (its BenchmarkDotNet.Artifacts are kept).</summary>
    public bool Overwrite { get; init; }

    /// <summary>The configuration results of this suite are stored under (CPU provider, job <see cref="EmittedSuite.JobName"/>).</summary>
    public RunConfiguration ToRunConfiguration()
        => new("cpu", null, IntraOpThreads, InterOpThreads, ExecutionMode, OptimizationLevel, EmittedSuite.JobName, EmittedSuite.Measurement);
}

/// <summary>What <see cref="BenchmarkSuiteEmitter.Emit"/> wrote.</summary>
/// <param name="Directory">The suite folder (full path).</param>
/// <param name="ProjectFile">The generated <c>.csproj</c>.</param>
/// <param name="BrickCount">Bricks in the suite (one benchmark case each).</param>
/// <param name="BrickBytes">Total size of the copied brick files.</param>
/// <param name="Configuration">The configuration imported results are stored under.</param>
internal sealed record EmittedSuite(string Directory, string ProjectFile, int BrickCount, long BrickBytes, RunConfiguration Configuration)
{
    /// <summary>The <see cref="RunConfiguration.Job"/> of every result measured by an emitted suite.</summary>
    public const string JobName = "emitted";

    /// <summary>
    /// The <see cref="RunConfiguration.Measurement"/> of every result measured by an emitted suite: its own harness (BenchmarkDotNet's
    /// default job in a separate process), never mixed with <c>dlbricks bench</c> results.
    /// </summary>
    public const string Measurement = "emitted-suite;benchmarkdotnet=" + BenchmarkDotNetVersion + ";onnxruntime=" + OnnxRuntimeVersion;

    /// <summary>BenchmarkDotNet version the suite references (the one DLBricks itself is built with).</summary>
    public const string BenchmarkDotNetVersion = "0.15.8";

    /// <summary>ONNX Runtime version the suite references (the one DLBricks itself is built with).</summary>
    public const string OnnxRuntimeVersion = "1.31.1";

    /// <summary>
    /// Name of the extra case that runs the empty Identity model (<see cref="Benchmarking.CalibrationModel"/>); its result is stored
    /// as the harness calibration of the imported system and configuration, as <c>dlbricks bench</c> does.
    /// </summary>
    public const string CalibrationCase = "calibration-identity";

    /// <summary>File holding the suite's session settings.</summary>
    public const string SettingsFileName = "suite.json";

    /// <summary>File the suite writes into its BenchmarkDotNet artifacts folder after a run: machine and session settings.</summary>
    public const string SystemFileName = "system.json";
}
