using System.Diagnostics;
using DLBricks.Benchmarking;

namespace DLBricks.Validation;

/// <summary>One profiled run: what the caller saw, what the trace says the run took, and the sum of its node kernel times.</summary>
/// <param name="WallMs">Time around <c>InferenceSession.Run</c> as the caller measured it.</param>
/// <param name="TraceRunMs">The run's <c>model_run</c> duration in the trace.</param>
/// <param name="NodeSumMs">Sum of the run's node kernel times.</param>
internal sealed record ProfileSumRun(double WallMs, double TraceRunMs, double NodeSumMs);

/// <summary>
/// The paper's Observation 1 for one model: the sum of per-layer (node) times of a run compared with the end-to-end
/// run time. The paper observes the layer sum is close to, but below, the model latency; the gap is framework work
/// between kernels.
/// </summary>
/// <param name="Model">Model file or name.</param>
/// <param name="Runs">Timed runs (warm-up excluded).</param>
internal sealed record ProfileSumResult(string Model, IReadOnlyList<ProfileSumRun> Runs)
{
    /// <summary>Median end-to-end time seen by the caller.</summary>
    public double E2eMedianMs => Percentiles.Median(Runs.Select(r => r.WallMs));

    /// <summary>Median <c>model_run</c> time from the trace.</summary>
    public double TraceRunMedianMs => Percentiles.Median(Runs.Select(r => r.TraceRunMs));

    /// <summary>Median per-run sum of node kernel times.</summary>
    public double NodeSumMedianMs => Percentiles.Median(Runs.Select(r => r.NodeSumMs));

    /// <summary><see cref="NodeSumMedianMs"/> / <see cref="E2eMedianMs"/>: the share of the run spent inside kernels.</summary>
    public double NodeShare => E2eMedianMs > 0 ? NodeSumMedianMs / E2eMedianMs : double.NaN;
}

/// <summary>Runs a model with ONNX Runtime profiling on and compares the per-node time sums with the end-to-end times.</summary>
internal static class ProfileSumCheck
{
    /// <summary>
    /// Profiles <paramref name="runs"/> runs after <paramref name="warmupRuns"/> unprofiled-in-the-result warm-up runs.
    /// The trace is written under <paramref name="workFolder"/> (a temporary folder by default) and deleted afterwards.
    /// </summary>
    /// <param name="modelPath">The model.</param>
    /// <param name="runs">Profiled runs in the result.</param>
    /// <param name="warmupRuns">Runs first, profiled but left out of the result.</param>
    /// <param name="configuration">Session settings; default <see cref="ScenarioEngine.Configuration"/>.</param>
    /// <param name="inputs">The model's resolved inputs (the resolution the rest of validation uses); null resolves them without bindings.</param>
    /// <param name="workFolder">Where the trace goes.</param>
    /// <remarks>The model is opened as every engine opens it (<see cref="OnnxModelRunner.OpenModel"/>), with profiling on.</remarks>
    /// <exception cref="InvalidModelException">The model cannot be loaded or its inputs resolved.</exception>
    /// <exception cref="InvalidDataException">The trace does not match the runs made.</exception>
    public static ProfileSumResult Run(string modelPath, int runs = 20, int warmupRuns = 3, RunConfiguration? configuration = null,
        Graph.ModelInputs? inputs = null, string? workFolder = null)
    {
        if (runs < 1) throw new ArgumentOutOfRangeException(nameof(runs), runs, "at least one run is needed.");
        if (warmupRuns < 0) throw new ArgumentOutOfRangeException(nameof(warmupRuns), warmupRuns, null);

        var folder = workFolder ?? Path.Combine(Path.GetTempPath(), "dlbricks-profile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var prefix = Path.Combine(folder, Path.GetFileNameWithoutExtension(modelPath));
        string? trace = null;
        var wall = new List<double>(runs);
        try
        {
            using (var runner = OnnxModelRunner.OpenModel(modelPath, configuration ?? ScenarioEngine.Configuration(),
                       new ModelRunOptions(inputs, ProfilePrefix: prefix)))
            {
                for (var i = 0; i < warmupRuns + runs; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    runner.Run();
                    if (i >= warmupRuns) wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                trace = runner.EndProfiling();
            }

            var profile = OrtProfile.Load(trace);
            if (profile.Runs.Count != warmupRuns + runs)
                throw new InvalidDataException($"{trace}: expected {warmupRuns + runs} model_run events, found {profile.Runs.Count}.");
            var timed = profile.Runs.Skip(warmupRuns).Select((r, i) => new ProfileSumRun(wall[i], r.RunMs, r.NodeSumMs)).ToList();
            return new ProfileSumResult(Path.GetFileNameWithoutExtension(modelPath), timed);
        }
        finally
        {
            if (trace is not null && File.Exists(trace)) File.Delete(trace);
            // A run that failed never reached EndProfiling, and ONNX Runtime still writes its trace when the session closes:
            // every file of this prefix goes, so no onnxruntime_profile__*.json is ever left behind.
            if (Directory.Exists(folder))
                foreach (var file in Directory.EnumerateFiles(folder, Path.GetFileName(prefix) + "*.json")) TryDelete(file);
            if (workFolder is null && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
