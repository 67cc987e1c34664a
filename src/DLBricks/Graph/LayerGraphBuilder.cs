using DLBricks.Onnx;
using DLBricks.Onnx.Protos;

namespace DLBricks.Graph;

/// <summary>
/// Turns an ONNX model into a <see cref="LayerGraph"/>: orders nodes topologically (ties by file order), folds constants
/// (initializers, Constant nodes, and transitively every node whose inputs are all constants: weights built by
/// ConstantOfShape, shape arithmetic on static shapes), and learns every tensor's shape from <see cref="ShapeProbe"/>.
/// </summary>
internal static class LayerGraphBuilder
{
    /// <summary>Builds the layer graph of a model file.</summary>
    /// <exception cref="InvalidModelException">The model cannot be read, ordered or probed; the message names file and cause.</exception>
    public static LayerGraph Build(string path, LayerSourceOptions? source = null, ModelInputBindings? bindings = null) =>
        Build(path, source, bindings, cache: null, times: null);

    /// <summary>
    /// Builds the layer graph of a model file, taking the optimized graph and the probe from <paramref name="cache"/> when it
    /// holds them (and storing them there when not), and adding each phase's time to <paramref name="times"/>.
    /// </summary>
    /// <exception cref="InvalidModelException">The model cannot be read, ordered or probed; the message names file and cause.</exception>
    public static LayerGraph Build(string path, LayerSourceOptions? source, ModelInputBindings? bindings, GraphCache? cache, SplitPhaseTimes? times)
    {
        var model = Measure(times, SplitPhase.Read, () => OnnxModel.Load(path));
        return Build(model, source, bindings, cache, times);
    }

    /// <summary>Builds the layer graph of a loaded model.</summary>
    public static LayerGraph Build(OnnxModel model, LayerSourceOptions? source = null, ModelInputBindings? bindings = null) =>
        Build(model, source, bindings, cache: null, times: null);

    /// <summary>Builds the layer graph of a loaded model, with an optional cache and phase times (see the path overload).</summary>
    public static LayerGraph Build(OnnxModel model, LayerSourceOptions? source, ModelInputBindings? bindings, GraphCache? cache, SplitPhaseTimes? times)
    {
        source ??= LayerSourceOptions.Raw;
        bindings ??= ModelInputBindings.None;
        var resolved = ModelInputs.Resolve(model, bindings);
        // A model exported at batch 1 and split at batch 8 is re-declared first, so the optimizer and the probe see batch 8.
        model = resolved.Resize(model);
        var inputs = resolved.Inputs;
        var optimizedSource = source.Kind == LayerSourceKind.Optimized;
        var provider = optimizedSource ? source.Provider : "cpu";
        var key = cache is null ? null : Measure(times, SplitPhase.Read, () => GraphCache.Key(model, source, inputs));
        // ONNX Runtime writes the nodes of an optimized graph in an order that changes from run to run (fused and reorder
        // nodes move), so they are put in the order of the model as written instead: the same model always gives the same
        // layers, and with them the same bricks at G > 1, whether the optimized graph is fresh or cached.
        var written = optimizedSource ? WrittenPositions(model) : null;
        if (key is not null && cache!.TryLoad(key, model, optimizedSource, times, out var cachedModel, out var cachedProbe))
            return Measure(times, SplitPhase.Split, () => Assemble(cachedModel, Analyze(cachedModel, written), inputs, cachedProbe));

        if (optimizedSource)
        {
            var original = model;
            model = Measure(times, SplitPhase.Optimize, () => RuntimeOptimizer.Optimize(original, source.Level, source.Provider));
        }
        var structure = Measure(times, SplitPhase.Split, () => Analyze(model, written));
        var probed = Measure(times, SplitPhase.Probe, () => ShapeProbe.Run(model, inputs, provider));
        if (key is not null) cache!.Store(key, optimizedSource ? model : null, probed);
        return Measure(times, SplitPhase.Split, () => Assemble(model, structure, inputs, probed));
    }

    private static T Measure<T>(SplitPhaseTimes? times, SplitPhase phase, Func<T> work) => times is null ? work() : times.Measure(phase, work);

    /// <summary>
    /// Builds the graph from shapes the model already declares (value_info, inputs, outputs, initializers) without running
    /// ONNX Runtime. Only for models whose value_info is complete and static; used to time splitting itself.
    /// </summary>
    /// <exception cref="InvalidModelException">A tensor has no complete static type in the model.</exception>
    public static LayerGraph BuildFromDeclaredShapes(OnnxModel model, ModelInputBindings? bindings = null)
    {
        var inputs = ShapeProbe.ResolveInputs(model, bindings ?? ModelInputBindings.None);
        var structure = Analyze(model);
        var declared = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var g = model.Proto.Graph;
        foreach (var vi in g.ValueInfo.Concat(g.Output))
        {
            if (vi.Type?.TensorType is not { } tt || tt.Shape is null) continue;
            if (tt.Shape.Dim.Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)) continue;
            declared[vi.Name] = new TensorInfo { ElementType = tt.ElemType, Shape = tt.Shape.Dim.Select(d => d.DimValue).ToArray() };
        }
        foreach (var node in structure.OrderedNodes)
        foreach (var o in node.Node.Output)
            if (o.Length > 0 && !declared.ContainsKey(o))
                throw new InvalidModelException($"{model.Path}: tensor '{o}' (node '{node.Node.Name}') has no complete static type in value_info; use the runtime probe.");
        return Assemble(model, structure, inputs, declared);
    }

    private sealed record NodeEntry(int FileOrder, NodeProto Node, IReadOnlyList<string> ImplicitInputs);

    private sealed record Structure(IReadOnlyList<NodeEntry> OrderedNodes, HashSet<string> Constants, HashSet<string> Initializers);

    /// <summary>Where the node producing each tensor sits in the model as written.</summary>
    private static Dictionary<string, int> WrittenPositions(OnnxModel model)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = model.Proto.Graph.Node;
        for (var i = 0; i < nodes.Count; i++)
            foreach (var output in nodes[i].Output)
                if (output.Length > 0) positions.TryAdd(output, i);
        return positions;
    }

    private static Structure Analyze(OnnxModel model, IReadOnlyDictionary<string, int>? written = null)
    {
        var graph = model.Proto.Graph;
        var initializers = new HashSet<string>(graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        var nodes = graph.Node.Select((n, i) => new NodeEntry(i, n, Subgraphs.ImplicitInputs(n))).ToList();
        var ordered = TopologicalOrder(model, nodes, initializers);
        if (written is not null) ordered = WrittenOrder(ordered, written);

        // Old exports (IR 3) list initializers among graph inputs; they are still weights, never fed.
        var constants = new HashSet<string>(initializers, StringComparer.Ordinal);
        foreach (var entry in ordered)
        {
            var reads = entry.Node.Input.Where(n => n.Length > 0).Concat(entry.ImplicitInputs);
            if (entry.Node.OpType == "Constant" || reads.All(constants.Contains))
                constants.UnionWith(entry.Node.Output.Where(o => o.Length > 0));
        }
        return new Structure(ordered, constants, initializers);
    }

    /// <summary>
    /// Re-sorts a topological order by the model as written: a node's place is that of the written node producing one of its
    /// outputs (the earliest), or, for a node the runtime added (layout reorders), that of the latest node it reads from;
    /// ties go by output name. Nothing of the runtime's own node order is left, so the result depends only on the graph.
    /// </summary>
    private static List<NodeEntry> WrittenOrder(List<NodeEntry> ordered, IReadOnlyDictionary<string, int> written)
    {
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < ordered.Count; i++)
            foreach (var output in ordered[i].Node.Output)
                if (output.Length > 0) producer.TryAdd(output, i);

        var place = new int[ordered.Count];
        var dependents = new List<int>[ordered.Count];
        var pending = new int[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            dependents[i] = [];
            var own = int.MaxValue;
            foreach (var output in ordered[i].Node.Output)
                if (output.Length > 0 && written.TryGetValue(output, out var p)) own = Math.Min(own, p);
            var latestInput = -1;
            foreach (var input in ordered[i].Node.Input.Where(n => n.Length > 0).Concat(ordered[i].ImplicitInputs).Distinct())
            {
                if (!producer.TryGetValue(input, out var from)) continue;
                latestInput = Math.Max(latestInput, place[from]); // producers come first in a topological order
                dependents[from].Add(i);
                pending[i]++;
            }
            place[i] = own != int.MaxValue ? own : latestInput;
        }

        var ready = new PriorityQueue<int, (int Place, string Name)>(Comparer<(int Place, string Name)>.Create((a, b) =>
            a.Place != b.Place ? a.Place.CompareTo(b.Place) : string.CompareOrdinal(a.Name, b.Name)));
        for (var i = 0; i < ordered.Count; i++)
            if (pending[i] == 0) ready.Enqueue(i, (place[i], ordered[i].Node.Output.FirstOrDefault() ?? ""));
        var result = new List<NodeEntry>(ordered.Count);
        while (ready.TryDequeue(out var next, out _))
        {
            result.Add(ordered[next]);
            foreach (var d in dependents[next])
                if (--pending[d] == 0) ready.Enqueue(d, (place[d], ordered[d].Node.Output.FirstOrDefault() ?? ""));
        }
        return result;
    }

    private static List<NodeEntry> TopologicalOrder(OnnxModel model, List<NodeEntry> nodes, HashSet<string> initializers)
    {
        var graph = model.Proto.Graph;
        var available = new HashSet<string>(initializers, StringComparer.Ordinal);
        available.UnionWith(graph.Input.Select(i => i.Name));
        var producer = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in nodes)
        foreach (var o in e.Node.Output)
        {
            if (o.Length == 0) continue;
            if (!producer.TryAdd(o, e.FileOrder))
                throw new InvalidModelException($"{model.Path}: tensor '{o}' is produced by two nodes ('{nodes[producer[o]].Node.Name}' and '{e.Node.Name}'); not a valid ONNX graph.");
        }

        var pending = new int[nodes.Count];
        var dependents = new List<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++) dependents[i] = [];
        foreach (var e in nodes)
        {
            foreach (var input in e.Node.Input.Where(n => n.Length > 0).Concat(e.ImplicitInputs).Distinct())
            {
                if (producer.TryGetValue(input, out var p))
                {
                    pending[e.FileOrder]++;
                    dependents[p].Add(e.FileOrder);
                }
                else if (!available.Contains(input))
                {
                    throw new InvalidModelException(
                        $"{model.Path}: node '{Describe(e.Node)}' reads '{input}', which no node, input or initializer provides.");
                }
            }
        }

        // Kahn's algorithm with a min-heap on file position: the order is deterministic and equals the file order
        // whenever the file is already sorted.
        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < nodes.Count; i++)
            if (pending[i] == 0) ready.Enqueue(i, i);
        var order = new List<NodeEntry>(nodes.Count);
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(nodes[next]);
            foreach (var d in dependents[next])
                if (--pending[d] == 0) ready.Enqueue(d, d);
        }
        if (order.Count != nodes.Count)
        {
            var stuck = nodes.First(n => pending[n.FileOrder] > 0);
            throw new InvalidModelException($"{model.Path}: the graph has a cycle through node '{Describe(stuck.Node)}'.");
        }
        return order;
    }

    private static LayerGraph Assemble(OnnxModel model, Structure structure, IReadOnlyList<ShapeProbe.ResolvedInput> inputs,
        IReadOnlyDictionary<string, TensorInfo> probed)
    {
        var graph = model.Proto.Graph;
        var tensors = new Dictionary<string, TensorInfo>(probed, StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            // Per-element values are kept whatever their size (the user gave them); a single fill value only when the tensor is small.
            long[]? values = ElementTypes.IsInteger(input.ElementType) && input.Values is { } v
                             && (v.Length > 1 || TensorValues.ElementCount(input.Shape) <= TensorInfo.MaxKeptIntegerElements)
                ? ModelInputs.ExpandedIntegers(input)
                : null;
            tensors[input.Name] = new TensorInfo { ElementType = input.ElementType, Shape = input.Shape, IntegerValues = values };
        }
        foreach (var init in graph.Initializer)
        {
            var count = TensorValues.ElementCount(init.Dims);
            long[]? ints = null;
            float[]? floats = null;
            if ((ElementTypes.IsInteger(init.DataType) || init.DataType == (int)TensorProto.Types.DataType.Bool) && count <= TensorInfo.MaxKeptIntegerElements)
                ints = TensorValues.ReadIntegers(init, model);
            else if (ElementTypes.IsFloat(init.DataType) && count <= TensorInfo.MaxKeptFloatElements)
                floats = TensorValues.ReadFloats(init, model);
            tensors[init.Name] = new TensorInfo { ElementType = init.DataType, Shape = init.Dims.ToArray(), IntegerValues = ints, FloatValues = floats };
        }

        var layers = new List<Layer>();
        foreach (var entry in structure.OrderedNodes)
        {
            if (entry.Node.Output.Where(o => o.Length > 0).All(structure.Constants.Contains) && entry.Node.Output.Any(o => o.Length > 0))
                continue;
            var layer = new Layer(layers.Count, entry.FileOrder, entry.Node, entry.ImplicitInputs);
            foreach (var t in layer.AllInputs.Concat(layer.Outputs.Where(o => o.Length > 0)))
                if (!tensors.ContainsKey(t))
                    throw new InvalidModelException($"{model.Path}: no type or shape known for tensor '{t}' of node '{Describe(entry.Node)}'.");
            layers.Add(layer);
        }
        var realInputs = inputs.Select(i => i.Name).ToList();
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        return new LayerGraph(model, layers, tensors, structure.Constants, realInputs, outputs);
    }

    internal static string Describe(NodeProto node) => node.Name.Length > 0 ? node.Name : $"{node.OpType} -> {string.Join(',', node.Output)}";
}
