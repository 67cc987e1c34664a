using QuikGraph;

namespace DLBricks.Estimation;

/// <summary>
/// Simulates an executor that runs a brick DAG on a fixed number of workers, the way ONNX Runtime's parallel executor runs a
/// model's nodes: a brick starts as soon as its inputs are ready and a worker is free (ready bricks in execution order), and the
/// k bricks running at once share the machine, each progressing at S(k)/k of its solo speed (<see cref="ConcurrencyProfile"/>).
/// With S(k) = k and enough workers the result is the longest path; with one worker, or S(k) = 1, the sequential sum.
/// </summary>
internal static class WorkerSchedule
{
    /// <summary>The time from the first brick's start to the last brick's end.</summary>
    /// <param name="order">Every vertex once, in the order ready bricks start (the recipe's execution order); readiness comes from <paramref name="graph"/>.</param>
    /// <param name="graph">The dependencies.</param>
    /// <param name="weight">Each vertex's solo latency (ms); 0 for a brick without a measurement.</param>
    /// <param name="profile">Workers and speedups.</param>
    public static double Makespan(IReadOnlyList<int> order, IVertexListGraph<int, Edge<int>> graph, Func<int, double> weight,
        ConcurrencyProfile profile)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(profile);
        var workers = Math.Max(1, profile.Workers);
        var rank = new Dictionary<int, int>(order.Count);
        for (var i = 0; i < order.Count; i++) rank[order[i]] = i;
        var waitingOn = order.ToDictionary(v => v, _ => 0);
        foreach (var v in order)
        foreach (var edge in graph.OutEdges(v))
            waitingOn[edge.Target]++;

        // Ready bricks by their place in the execution order.
        var ready = new SortedSet<(int Rank, int Vertex)>(order.Where(v => waitingOn[v] == 0).Select(v => (rank[v], v)));
        var running = new List<(int Vertex, double Remaining)>();
        var now = 0.0;
        var finished = 0;
        while (finished < order.Count)
        {
            while (running.Count < workers && ready.Count > 0)
            {
                var next = ready.Min;
                ready.Remove(next);
                running.Add((next.Vertex, Math.Max(0, weight(next.Vertex))));
            }
            if (running.Count == 0)
                throw new InvalidOperationException("the schedule stalled: a vertex depends on one outside the order.");
            var rate = profile.Speedup(running.Count) / running.Count;
            var step = running.Min(r => r.Remaining) / rate;
            now += step;
            var still = new List<(int Vertex, double Remaining)>(running.Count);
            foreach (var (vertex, remaining) in running)
            {
                var left = remaining - step * rate;
                // Relative tolerance: the brick that set the step ends exactly now, whatever the rounding.
                if (left > 1e-12 * Math.Max(1, remaining))
                {
                    still.Add((vertex, left));
                    continue;
                }
                finished++;
                foreach (var edge in graph.OutEdges(vertex))
                {
                    if (--waitingOn[edge.Target] == 0) ready.Add((rank[edge.Target], edge.Target));
                }
            }
            running = still;
        }
        return now;
    }
}
