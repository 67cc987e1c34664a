using DLBricks.Onnx;
using QuikGraph;

namespace DLBricks.Graph;

/// <summary>
/// A model as an immutable DAG of layers (compute nodes left after constant folding) in deterministic topological order,
/// with the type, shape and (where kept) value of every tensor. Built by <see cref="LayerGraphBuilder"/>.
/// </summary>
internal sealed class LayerGraph
{
    internal LayerGraph(
        OnnxModel model,
        IReadOnlyList<Layer> layers,
        IReadOnlyDictionary<string, TensorInfo> tensors,
        IReadOnlySet<string> constants,
        IReadOnlyList<string> inputs,
        IReadOnlySet<string> outputs)
    {
        Model = model;
        Layers = layers;
        Tensors = tensors;
        Constants = constants;
        Inputs = inputs;
        Outputs = outputs;

        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            foreach (var o in layer.Outputs)
                if (o.Length > 0) producer[o] = layer.Index;
        }
        foreach (var layer in layers)
        {
            var reads = layer.AllInputList;
            for (var k = 0; k < reads.Count; k++)
            {
                // Distinct by hand: layers read a handful of tensors, and a HashSet per layer dominated building large graphs.
                var i = reads[k];
                var repeated = false;
                for (var j = 0; j < k && !repeated; j++) repeated = reads[j] == i;
                if (repeated) continue;
                if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = [];
                list.Add(layer.Index);
            }
        }
        Producer = producer;
        Consumers = consumers.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value, StringComparer.Ordinal);

        var dag = new BidirectionalGraph<int, SEquatableEdge<int>>(allowParallelEdges: false, vertexCapacity: layers.Count, edgeCapacity: -1);
        dag.AddVertexRange(Enumerable.Range(0, layers.Count));
        foreach (var layer in layers)
        foreach (var input in layer.AllInputs)
            if (producer.TryGetValue(input, out var from) && !dag.ContainsEdge(from, layer.Index))
                dag.AddEdge(new SEquatableEdge<int>(from, layer.Index));
        Dag = dag;
    }

    /// <summary>The model the layers come from (the optimized model when the layer source is <c>optimized</c>).</summary>
    public OnnxModel Model { get; }

    /// <summary>Model name.</summary>
    public string Name => Model.Name;

    /// <summary>Layers in topological order; ties are broken by node order in the file.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Type, shape and kept values of every tensor: graph inputs, constants and layer outputs.</summary>
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    /// <summary>Tensors that are weights or folded constants (initializers, Constant nodes, subgraphs of constants).</summary>
    public IReadOnlySet<string> Constants { get; }

    /// <summary>The model's real inputs (graph inputs that are not initializers).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>The model's outputs.</summary>
    public IReadOnlySet<string> Outputs { get; }

    /// <summary>Layer index producing each layer output.</summary>
    public IReadOnlyDictionary<string, int> Producer { get; }

    /// <summary>Layer indices reading each tensor (explicitly or from a subgraph).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> Consumers { get; }

    /// <summary>Data dependencies between layers, by layer index.</summary>
    public IBidirectionalGraph<int, SEquatableEdge<int>> Dag { get; }

    /// <summary>Opset version the model imports for a domain.</summary>
    public long OpsetVersion(string domain) => Model.OpsetVersion(domain);
}
