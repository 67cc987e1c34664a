using System.Text.Json;

namespace DLBricks.Validation;

/// <summary>One <c>model_run</c> of an ONNX Runtime profile trace.</summary>
/// <param name="RunMs">Duration of the run as the trace records it.</param>
/// <param name="NodeSumMs">Sum of the kernel times of every node executed in the run.</param>
/// <param name="NodeEvents">Number of kernel events summed.</param>
internal sealed record ProfiledRun(double RunMs, double NodeSumMs, int NodeEvents);

/// <summary>
/// The per-run content of an ONNX Runtime profiling trace (Chrome trace-event JSON: an array of events with
/// <c>cat</c>, <c>name</c>, <c>ts</c> and <c>dur</c> in µs). Runs are the <c>Session</c> events named <c>model_run</c>;
/// a node's compute time is its <c>Node</c> event named <c>&lt;node&gt;_kernel_time</c> (the <c>_fence_before</c>/<c>_fence_after</c>
/// events are synchronisation, not compute). Node events are assigned to the run whose time span contains them.
/// </summary>
internal sealed record OrtProfile(IReadOnlyList<ProfiledRun> Runs)
{
    private const string KernelSuffix = "_kernel_time";

    /// <summary>Parses a trace file.</summary>
    /// <exception cref="InvalidDataException">The file is not an ONNX Runtime trace; the message names it.</exception>
    public static OrtProfile Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: profile trace not found.");
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Parses trace JSON.</summary>
    /// <exception cref="InvalidDataException">The text is not a trace-event array.</exception>
    public static OrtProfile Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a JSON profile trace ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException("not a profile trace: expected a JSON array of events.");

            var runs = new List<(double Start, double Duration)>();
            var kernels = new List<(double Start, double Duration)>();
            foreach (var e in document.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object) continue;
                var category = Text(e, "cat");
                var name = Text(e, "name");
                if (!e.TryGetProperty("ts", out var ts) || !e.TryGetProperty("dur", out var dur)) continue;
                if (!ts.TryGetDouble(out var start) || !dur.TryGetDouble(out var duration)) continue;
                if (category == "Session" && name == "model_run") runs.Add((start, duration));
                else if (category == "Node" && name is not null && name.EndsWith(KernelSuffix, StringComparison.Ordinal)) kernels.Add((start, duration));
            }

            runs.Sort((a, b) => a.Start.CompareTo(b.Start));
            var sums = new double[runs.Count];
            var counts = new int[runs.Count];
            foreach (var (start, duration) in kernels)
            {
                var index = RunContaining(runs, start);
                if (index < 0) continue;
                sums[index] += duration;
                counts[index]++;
            }
            return new OrtProfile(runs.Select((r, i) => new ProfiledRun(r.Duration / 1000.0, sums[i] / 1000.0, counts[i])).ToList());
        }
    }

    private static string? Text(JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int RunContaining(List<(double Start, double Duration)> runs, double time)
    {
        // Runs are sorted and do not overlap (one session runs them back to back), so a binary search finds the candidate.
        int lo = 0, hi = runs.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (runs[mid].Start <= time) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found >= 0 && time <= runs[found].Start + runs[found].Duration ? found : -1;
    }
}
