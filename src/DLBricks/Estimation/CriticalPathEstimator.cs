using DLBricks.Export;
using QuikGraph;
using QuikGraph.Algorithms;
using DLBricks.Splitting;

namespace DLBricks.Estimation;

/// <summary>
/// The longest path through the brick-level DAG (occurrences as vertices weighted by their latency, recipe edges as
/// dependencies). It is the model's latency if independent branches ran fully in parallel, so it bounds the sequential
/// estimate from below; the two are equal for a chain. With a measured <see cref="EstimateOptions.Concurrency"/> (the parallel
/// executor's workers and the system's speedup when they run together) it is the time of the DAG scheduled on those workers
/// (<see cref="WorkerSchedule"/>), between the longest path and the sequential sum.
/// </summary>
internal sealed class CriticalPathEstimator : ILatencyEstimator
{
    /// <inheritdoc />
    public EstimationMode Mode => EstimationMode.CriticalPath;

    /// <inheritdoc />
    public bool CanEstimate(ModelRecipe recipe) => true;

    /// <inheritdoc />
    public LatencyEstimate Estimate(ModelRecipe recipe, BrickLatencies latencies, EstimateOptions options)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(latencies);
        ArgumentNullException.ThrowIfNull(options);

        var byIndex = new Dictionary<int, BrickOccurrence>();
        foreach (var occurrence in recipe.Occurrences)
        {
            if (!byIndex.TryAdd(occurrence.Index, occurrence))
                throw new InvalidDataException($"recipe {recipe.Model} (G={recipe.Granularity}): occurrence index {occurrence.Index} appears twice.");
        }

        var graph = new AdjacencyGraph<int, Edge<int>>(allowParallelEdges: false);
        graph.AddVertexRange(byIndex.Keys.Order());
        foreach (var edge in recipe.Edges)
        {
            if (!byIndex.ContainsKey(edge.From) || !byIndex.ContainsKey(edge.To))
                throw new InvalidDataException($"recipe {recipe.Model} (G={recipe.Granularity}): edge {edge.From}→{edge.To} names an unknown occurrence.");
            if (!graph.ContainsEdge(edge.From, edge.To)) graph.AddEdge(new Edge<int>(edge.From, edge.To));
        }

        List<int> order;
        try
        {
            order = graph.TopologicalSort().ToList();
        }
        catch (NonAcyclicGraphException)
        {
            throw new InvalidDataException($"recipe {recipe.Model} (G={recipe.Granularity}): the occurrence edges contain a cycle.");
        }

        double Weight(int index) =>
            latencies.TryGet(byIndex[index].Hash, out var stats) ? stats.Get(options.Statistic) : 0;

        // Longest path ending at each vertex, relaxed in topological order.
        var longest = new Dictionary<int, double>();
        var previous = new Dictionary<int, int>();
        foreach (var v in order) longest[v] = Weight(v);
        foreach (var v in order)
        {
            foreach (var edge in graph.OutEdges(v))
            {
                var candidate = longest[v] + Weight(edge.Target);
                if (candidate > longest[edge.Target])
                {
                    longest[edge.Target] = candidate;
                    previous[edge.Target] = v;
                }
            }
        }

        var path = new List<int>();
        if (order.Count > 0)
        {
            // Ties go to the lowest index so the reported path is deterministic.
            var end = longest.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).First().Key;
            for (var v = end; ; v = previous[v])
            {
                path.Add(v);
                if (!previous.ContainsKey(v)) break;
            }
            path.Reverse();
        }

        if (options.Concurrency is { } profile)
        {
            // Every brick runs once on some worker: the work is the sequential sum, the time is the schedule's.
            var makespan = WorkerSchedule.Makespan(byIndex.Keys.Order().ToList(), graph, Weight, profile);
            var all = recipe.Occurrences.OrderBy(o => o.Index).Select(o => o.Hash).ToList();
            return EstimateComposer.Compose(recipe, Mode, all, EstimateComposer.OccurrenceCounts(recipe), path, latencies, options, makespan);
        }
        var counted = path.Select(i => byIndex[i].Hash).ToList();
        return EstimateComposer.Compose(recipe, Mode, counted, EstimateComposer.OccurrenceCounts(recipe), path, latencies, options);
    }
}
