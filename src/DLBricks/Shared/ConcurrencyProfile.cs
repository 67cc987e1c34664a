using System.Globalization;
using System.Text.Json.Serialization;

namespace DLBricks.Shared;

/// <summary>
/// How much faster a system runs k independent bricks at once than one after another, under one configuration: the speedup
/// S(k) = k × t(one branch) / t(k branches side by side), measured with ONNX Runtime's parallel executor on a calibration model
/// of k identical independent branches. S(1) = 1; S(k) = k is perfect overlap, S(k) = 1 none (cores shared with hyper-threads,
/// a CPU quota, or a memory bus the branches saturate). The parallel executor's critical-path estimate schedules the brick DAG
/// on <see cref="Workers"/> workers that share the machine at this rate.
/// </summary>
/// <param name="Workers">Bricks the executor runs at once: the configuration's inter-op threads (0 = one per logical core).</param>
/// <param name="Points">Measured speedups by concurrency, ascending in <see cref="ConcurrencyPoint.Concurrency"/>, starting at 1.</param>
public sealed record ConcurrencyProfile(
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("points")] IReadOnlyList<ConcurrencyPoint> Points)
{
    /// <summary>
    /// S(k) for <paramref name="concurrency"/> bricks at once: linear between measured points, the last point's value
    /// beyond it, and never more than k (a measurement above k is noise).
    /// </summary>
    public double Speedup(int concurrency)
    {
        if (concurrency <= 1 || Points.Count == 0) return 1;
        ConcurrencyPoint below = new(1, 1);
        foreach (var point in Points)
        {
            if (point.Concurrency == concurrency) return Clamp(point.Speedup, concurrency);
            if (point.Concurrency > concurrency)
            {
                var t = (double)(concurrency - below.Concurrency) / (point.Concurrency - below.Concurrency);
                return Clamp(below.Speedup + t * (point.Speedup - below.Speedup), concurrency);
            }
            below = point;
        }
        return Clamp(below.Speedup, concurrency);
    }

    /// <summary>One line for reports: "2 workers, S(2) = 1.07".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Workers} worker(s), {string.Join(", ", Points.Where(p => p.Concurrency > 1).Select(p => $"S({p.Concurrency}) = {p.Speedup:0.00}"))}");

    // Below 1 the branches would run slower together than in turn; a scheduler never makes that choice worse than sequential.
    private static double Clamp(double speedup, int concurrency) => Math.Clamp(speedup, 1, concurrency);
}

/// <summary>One measured point of a <see cref="ConcurrencyProfile"/>.</summary>
/// <param name="Concurrency">Independent branches run at once (k).</param>
/// <param name="Speedup">S(k) = k × t(1) / t(k).</param>
public sealed record ConcurrencyPoint(
    [property: JsonPropertyName("concurrency")] int Concurrency,
    [property: JsonPropertyName("speedup")] double Speedup);
