namespace DLBricks.Shared;

/// <summary>
/// The machine a result was measured on. <see cref="Key"/> identifies it in a store; two machines of the same kind
/// (same CPU model, cores, memory, OS and runtime versions) share a key on purpose: their results are interchangeable.
/// </summary>
public sealed record SystemFingerprint(
    string CpuModel,
    int LogicalCores,
    long MemoryBytes,
    string OperatingSystem,
    string DotNetVersion,
    string OnnxRuntimeVersion)
{
    /// <summary>
    /// The GPUs the results were measured with (names, memory, driver and CUDA versions, as <c>GpuDetector.Describe</c> writes them);
    /// null for CPU runs, so a CPU result does not depend on which GPU sits in the machine.
    /// </summary>
    public string? Gpu { get; init; }

    /// <summary>Stable short identifier derived from every field.</summary>
    public string Key => Gpu is null
        // Without a GPU the key keeps the fields it always had, so existing results still match.
        ? StoreKeys.Of(CpuModel, LogicalCores.ToString(System.Globalization.CultureInfo.InvariantCulture),
            MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), OperatingSystem, DotNetVersion, OnnxRuntimeVersion)
        : StoreKeys.Of(CpuModel, LogicalCores.ToString(System.Globalization.CultureInfo.InvariantCulture),
            MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), OperatingSystem, DotNetVersion, OnnxRuntimeVersion, Gpu);
}

/// <summary>
/// How a brick is run: execution provider and its options, thread settings, the optimization level its sessions really use, and
/// the measurement settings. <see cref="Key"/> is derived from everything that changes a timing and nothing else, so a result is
/// reused only when it was measured exactly the way a new measurement would be.
/// </summary>
/// <param name="ExecutionProvider"><c>cpu</c> or <c>cuda</c>.</param>
/// <param name="DeviceId">Device of the execution provider (CUDA); null for CPU.</param>
/// <param name="IntraOpThreads">Intra-op thread count (0 = ONNX Runtime default).</param>
/// <param name="InterOpThreads">Inter-op thread count (0 = ONNX Runtime default).</param>
/// <param name="ExecutionMode"><c>sequential</c> or <c>parallel</c>.</param>
/// <param name="OptimizationLevel"><c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c>: the level the sessions run with
/// (see <see cref="ForBricks"/>).</param>
/// <param name="Job">Name of the benchmark job (<c>default</c>, <c>quick</c>, ...), for display only: not part of <see cref="Key"/>.</param>
/// <param name="Measurement">
/// Canonical text of the measurement settings: harness version, warmup and iteration counts, iteration and pilot times, rotation
/// settings and clock (<see cref="DLBricks.Benchmarking.BenchmarkJob.Provenance"/>). Empty for a configuration stored before these settings were
/// recorded (schema version 3 and older): such a configuration keeps its old key, which no new measurement ever produces.
/// </param>
public sealed record RunConfiguration(
    string ExecutionProvider,
    int? DeviceId,
    int IntraOpThreads,
    int InterOpThreads,
    string ExecutionMode,
    string OptimizationLevel,
    string Job,
    string Measurement)
{
    /// <summary>Source kind of catalogs cut from a graph ONNX Runtime already optimized (see <see cref="ForBricks"/>).</summary>
    public const string OptimizedSourceKind = "optimized";

    /// <summary>True for a configuration stored before measurement settings were recorded; its results are never reused.</summary>
    public bool IsLegacy => string.IsNullOrEmpty(Measurement);

    /// <summary>Stable short identifier derived from every field that changes a timing (not <see cref="Job"/>'s name).</summary>
    public string Key => IsLegacy
        // The formula of schema versions 1-3, so rows written then keep the key they were stored under.
        ? StoreKeys.Of(ExecutionProvider, DeviceId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            IntraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            InterOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture), ExecutionMode, OptimizationLevel, Job)
        : StoreKeys.Of("v2", ExecutionProvider, DeviceId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            IntraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            InterOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture), ExecutionMode, OptimizationLevel, Measurement);

    /// <summary>
    /// The configuration the bricks of a catalog really run under. Bricks cut from a runtime-optimized graph
    /// (<paramref name="sourceKind"/> <c>optimized</c>) already are what ONNX Runtime executes, so their sessions run with graph
    /// optimizations off, and their results are stored under <c>disabled</c> whatever level was asked for.
    /// </summary>
    /// <param name="sourceKind">The catalog's layer source kind (<c>raw</c> or <c>optimized</c>); null when unknown (raw).</param>
    public RunConfiguration ForBricks(string? sourceKind)
        => sourceKind == OptimizedSourceKind ? this with { OptimizationLevel = "disabled" } : this;
}

/// <summary>The outcome of benchmarking one brick on one system under one configuration.</summary>
/// <param name="BrickHash">Brick hash.</param>
/// <param name="SystemKey">Key of the <see cref="SystemFingerprint"/>.</param>
/// <param name="ConfigurationKey">Key of the <see cref="RunConfiguration"/>.</param>
/// <param name="Statistics">Latency statistics; null when the brick failed.</param>
/// <param name="Error">Why the brick could not be loaded or run; null on success.</param>
/// <param name="MeasuredAt">When the measurement finished.</param>
/// <param name="HarnessVersion">
/// <see cref="DLBricks.Benchmarking.MeasurementHarness.Version"/> of the code that measured it; null for results stored before it was recorded or
/// measured outside DLBricks (emitted suites).
/// </param>
public sealed record BrickResult(
    string BrickHash,
    string SystemKey,
    string ConfigurationKey,
    LatencyStatistics? Statistics,
    string? Error,
    DateTimeOffset MeasuredAt,
    int? HarnessVersion = null)
{
    /// <summary>True when the brick was measured successfully.</summary>
    public bool Succeeded => Statistics is not null && Error is null;
}

/// <summary>
/// Where benchmark results live. Every implementation creates and migrates its own schema, writes each result in its own
/// transaction and keys results by (brick hash, system, configuration), so one store holds many systems.
/// </summary>
public interface IResultStore : IDisposable
{
    /// <summary>Records a system so results can refer to it (idempotent).</summary>
    void RegisterSystem(SystemFingerprint system);

    /// <summary>Records a configuration so results can refer to it (idempotent).</summary>
    void RegisterConfiguration(RunConfiguration configuration);

    /// <summary>The registered configuration with key <paramref name="configurationKey"/>, or null when none is.</summary>
    RunConfiguration? FindConfiguration(string configurationKey);

    /// <summary>True when a result (success or failure) exists for the brick on this system and configuration.</summary>
    bool HasResult(string brickHash, string systemKey, string configurationKey);

    /// <summary>Writes one result atomically, replacing an earlier one for the same key.</summary>
    void Save(BrickResult result);

    /// <summary>All results for a system and configuration, by brick hash.</summary>
    IReadOnlyDictionary<string, BrickResult> GetResults(string systemKey, string configurationKey);

    /// <summary>Every (system, configuration) pair that has at least one result.</summary>
    IReadOnlyList<(SystemFingerprint System, RunConfiguration Configuration)> ListSystems();

    /// <summary>Stores the harness's fixed per-call cost measured on an empty (Identity) model.</summary>
    void SaveCalibration(string systemKey, string configurationKey, LatencyStatistics overhead);

    /// <summary>The stored per-call harness cost, or null when none was measured.</summary>
    LatencyStatistics? GetCalibration(string systemKey, string configurationKey);
}

/// <summary>Derives short stable keys from field values.</summary>
internal static class StoreKeys
{
    public static string Of(params string[] parts)
    {
        var joined = string.Join('\u001f', parts);
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(joined));
        return Convert.ToHexStringLower(digest)[..16];
    }
}
