using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;

namespace DLBricks.Splitting;

/// <summary>How a tensor that enters a brick from outside is provided inside the standalone brick.</summary>
public enum BoundaryRole
{
    /// <summary>A graph input of the brick, fed by the benchmark.</summary>
    Input,
    /// <summary>
    /// A structural value (<see cref="StructuralInputs"/>: shapes, indices, axes, sizes, conditions) with the value it has in
    /// the model: without it the brick would compute something else.
    /// </summary>
    EmbeddedValue,
    /// <summary>Any other constant (weights, biases, scales, zero points): regenerated from its <see cref="ValueProfile"/>.</summary>
    Weight,
}

/// <summary>A tensor crossing into a brick and how it is provided.</summary>
/// <param name="Tensor">Tensor name in the model.</param>
/// <param name="Role">How the brick provides it.</param>
/// <param name="Info">Type, shape and kept values.</param>
public sealed record BoundaryTensor(string Tensor, BoundaryRole Role, TensorInfo Info);

/// <summary>
/// A candidate brick: layers <see cref="First"/>..<see cref="First"/>+<see cref="Count"/>-1 of a model's topological order,
/// with the tensors crossing its boundary. Built by <see cref="For"/>; whether it can stand alone is <see cref="IsRunnable"/>.
/// </summary>
internal sealed class BrickSpec
{
    private BrickSpec(LayerGraph graph, int first, int count, IReadOnlyList<BoundaryTensor> boundary, IReadOnlyList<string> outputs, string? problem)
    {
        Graph = graph;
        First = first;
        Count = count;
        Boundary = boundary;
        Outputs = outputs;
        Problem = problem;
    }

    /// <summary>The model graph.</summary>
    public LayerGraph Graph { get; }

    /// <summary>Index of the first layer.</summary>
    public int First { get; }

    /// <summary>Number of layers.</summary>
    public int Count { get; }

    /// <summary>The layers, in order.</summary>
    public IEnumerable<Layer> Layers => Enumerable.Range(First, Count).Select(i => Graph.Layers[i]);

    /// <summary>Tensors entering the brick, in order of first use.</summary>
    public IReadOnlyList<BoundaryTensor> Boundary { get; }

    /// <summary>Tensors the brick outputs: those used after it or that are model outputs.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Why the layers cannot form a standalone network; null when they can.</summary>
    public string? Problem { get; }

    /// <summary>True when the layers form a runnable network on their own (structurally).</summary>
    public bool IsRunnable => Problem is null;

    /// <summary>Describes the chunk of <paramref name="count"/> layers starting at <paramref name="first"/>.</summary>
    public static BrickSpec For(LayerGraph graph, int first, int count)
    {
        var inside = new HashSet<string>(StringComparer.Ordinal);
        var boundary = new List<BoundaryTensor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? problem = null;
        for (var i = first; i < first + count; i++)
        {
            var reads = graph.Layers[i].AllInputList;
            for (var k = 0; k < reads.Count; k++)
            {
                var input = reads[k];
                if (inside.Contains(input) || !seen.Add(input)) continue;
                var info = graph.Tensors[input];
                var role = RoleOf(graph, input, info);
                if (role == BoundaryRole.Input && !info.IsStaticTensor)
                    problem ??= $"input '{input}' is a {info.Kind} without a static tensor shape, which a benchmark cannot synthesize";
                boundary.Add(new BoundaryTensor(input, role, info));
            }
            foreach (var o in graph.Layers[i].Outputs)
                if (o.Length > 0) inside.Add(o);
        }

        var last = first + count;
        var outputs = new List<string>();
        for (var i = first; i < last; i++)
        {
            foreach (var o in graph.Layers[i].Outputs)
            {
                if (o.Length == 0) continue;
                if (ReadOutside(graph, o, first, last) || graph.Outputs.Contains(o)) outputs.Add(o);
            }
        }
        if (outputs.Count == 0)
        {
            // Nothing leaves the chunk (a dead end in the model): keep the final results so the runtime cannot prune the work.
            var consumedInside = new HashSet<string>(Enumerable.Range(first, count).SelectMany(i => graph.Layers[i].AllInputs));
            outputs.AddRange(Enumerable.Range(first, count).SelectMany(i => graph.Layers[i].Outputs)
                .Where(o => o.Length > 0 && !consumedInside.Contains(o)));
        }

        if (problem is null && count > 1 && !IsConnected(graph, first, count))
            problem = "its layers form disconnected pieces (parallel branches), which would not time like one sequence";
        if (count == 1) problem = null; // Algorithm 2 emits a single layer as is.
        return new BrickSpec(graph, first, count, boundary, outputs, problem);
    }

    // A loop rather than Any(lambda): this runs for every output of every candidate, and the closure was an allocation each time.
    private static bool ReadOutside(LayerGraph graph, string tensor, int first, int last)
    {
        if (!graph.Consumers.TryGetValue(tensor, out var users)) return false;
        for (var k = 0; k < users.Count; k++)
            if (users[k] >= last || users[k] < first) return true;
        return false;
    }

    private static BoundaryRole RoleOf(LayerGraph graph, string tensor, TensorInfo info)
    {
        // Kept by the consuming slot, never by element type or size: an int8 weight or an 8-element bias is regenerated.
        var structural = StructuralInputs.TensorsOf(graph).Contains(tensor);
        if (graph.Constants.Contains(tensor))
        {
            if (structural && (info.IntegerValues is not null || info.FloatValues is not null)) return BoundaryRole.EmbeddedValue;
            return BoundaryRole.Weight;
        }
        // Structural integers computed by the model (shapes, indices, sizes) enter as the values they had, so the brick
        // computes exactly what it computes inside the model. Model inputs and computed non-structural integers (quantized
        // activations) stay inputs.
        var computed = graph.Producer.ContainsKey(tensor);
        var integral = ElementTypes.IsInteger(info.ElementType) || info.ElementType == (int)TensorProto.Types.DataType.Bool;
        if (computed && integral && structural && info.IntegerValues is not null) return BoundaryRole.EmbeddedValue;
        return BoundaryRole.Input;
    }

    private static bool IsConnected(LayerGraph graph, int first, int count)
    {
        // Union-find over layers joined by tensors produced inside the chunk or read together from outside (branches
        // fed by one activation run back to back on the sequential executor, like a sequence); shared weights don't count.
        var parent = Enumerable.Range(0, count).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        var firstReader = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = first; i < first + count; i++)
        foreach (var input in graph.Layers[i].AllInputs)
        {
            if (graph.Producer.TryGetValue(input, out var p) && p >= first && p < first + count)
                parent[Find(p - first)] = Find(i - first);
            else if (!graph.Constants.Contains(input) && !firstReader.TryAdd(input, i))
                parent[Find(firstReader[input] - first)] = Find(i - first);
        }
        var root = Find(0);
        for (var k = 1; k < count; k++)
            if (Find(k) != root) return false;
        return true;
    }
}
