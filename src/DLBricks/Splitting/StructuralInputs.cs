using System.Runtime.CompilerServices;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;

namespace DLBricks.Splitting;

/// <summary>
/// The structural-slot rule of brick privacy: which input slots of which operators take values that decide shapes,
/// indices, kernel paths or control flow. A constant feeding such a slot keeps its value in a brick (the brick would
/// compute something else without it); every other constant is regenerated (<see cref="ValueProfile"/>).
/// </summary>
/// <remarks>
/// The table follows the ONNX operator specification (and the <c>com.microsoft</c> contrib ops ONNX Runtime's optimizer
/// emits). Slots absent at an operator's older opsets (e.g. <c>ReduceMean</c> axes before opset 18) are simply never
/// used there, so the table needs no opset column. Decided by slot, never by element type or size: an int8 weight or an
/// int32 bias is regenerated, a float <c>Resize</c> scale is kept.
/// </remarks>
internal static class StructuralInputs
{
    private static readonly Dictionary<string, int[]> Table = new(StringComparer.Ordinal)
    {
        ["Reshape"] = [1],
        ["Expand"] = [1],
        ["Tile"] = [1],
        ["Slice"] = [1, 2, 3, 4],
        ["Pad"] = [1, 3],
        ["Squeeze"] = [1],
        ["Unsqueeze"] = [1],
        ["TopK"] = [1],
        ["Range"] = [0, 1, 2],
        ["OneHot"] = [1],
        ["ConstantOfShape"] = [0],
        ["Resize"] = [1, 2, 3],
        ["Upsample"] = [1],
        ["Gather"] = [1],
        ["GatherElements"] = [1],
        ["GatherND"] = [1],
        ["Scatter"] = [1],
        ["ScatterElements"] = [1],
        ["ScatterND"] = [1],
        ["ReduceSum"] = [1],
        ["ReduceMean"] = [1],
        ["ReduceMax"] = [1],
        ["ReduceMin"] = [1],
        ["ReduceProd"] = [1],
        ["ReduceL1"] = [1],
        ["ReduceL2"] = [1],
        ["ReduceLogSum"] = [1],
        ["ReduceLogSumExp"] = [1],
        ["ReduceSumSquare"] = [1],
        ["Split"] = [1],
        ["SplitToSequence"] = [1],
        ["If"] = [0],
        ["Loop"] = [0, 1],
        ["CumSum"] = [1],
        ["Trilu"] = [1],
        ["Compress"] = [1],
        ["NonMaxSuppression"] = [2, 3, 4],
        ["RoiAlign"] = [2],
        ["ReverseSequence"] = [1],
        ["CenterCropPad"] = [1],
        ["Col2Im"] = [1, 2],
        ["DFT"] = [1, 2],
        ["STFT"] = [1, 3],
        ["HannWindow"] = [0],
        ["HammingWindow"] = [0],
        ["BlackmanWindow"] = [0],
        ["MelWeightMatrix"] = [0, 1, 2],
        ["SequenceAt"] = [1],
        ["SequenceInsert"] = [2],
        ["SequenceErase"] = [1],
        ["Dropout"] = [2],
        // ONNX Runtime special-cases scalar exponents (2, 3, 0.5): the exponent selects the kernel.
        ["Pow"] = [1],
        ["com.microsoft.Gather"] = [1],
        ["com.microsoft.GatherND"] = [1],
        ["com.microsoft.Range"] = [0, 1, 2],
        ["com.microsoft.Trilu"] = [1],
        ["com.microsoft.GatherBlockQuantized"] = [1],
    };

    // Ops whose output only re-arranges or does arithmetic on its inputs: when the output is structural (it ends in a
    // structural slot), so are its inputs. Shape/Size are absent on purpose: they read only the shape of their input.
    private static readonly HashSet<string> ShapeArithmetic = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Mod", "Neg", "Abs", "Ceil", "Floor", "Round", "Max", "Min", "Sum", "Cast", "CastLike",
        "Concat", "Gather", "GatherElements", "Slice", "Squeeze", "Unsqueeze", "Reshape", "Identity", "Flatten", "Expand",
        "Tile", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor", "Where", "ReduceProd",
        "ReduceSum", "ReduceMax", "ReduceMin", "Range", "NonZero", "Transpose", "Sqrt", "Reciprocal", "Clip", "ConstantOfShape",
        "Sign", "Pow",
    };

    private static readonly ConditionalWeakTable<LayerGraph, HashSet<string>> Cache = new();

    /// <summary>True when input <paramref name="index"/> of <paramref name="opType"/> in <paramref name="domain"/> is structural.</summary>
    public static bool IsStructural(string domain, string opType, int index)
    {
        var key = domain is "" or "ai.onnx" ? opType : $"{domain}.{opType}";
        return Table.TryGetValue(key, out var slots) && Array.IndexOf(slots, index) >= 0;
    }

    /// <summary>Every structural slot, as <c>op → input indexes</c> (domain-qualified for non-default domains), for documentation and tests.</summary>
    public static IReadOnlyDictionary<string, int[]> Slots => Table;

    /// <summary>
    /// Names of the tensors of <paramref name="graph"/> whose values are structural: read by a structural slot, directly or
    /// through shape arithmetic (<c>Shape → Gather → Concat → Reshape</c>), at the top level or inside any If/Loop/Scan
    /// body (subgraph locals and outer-scope reads alike). A tensor read by both a structural and a compute slot is
    /// structural. Computed once per graph.
    /// </summary>
    public static IReadOnlySet<string> TensorsOf(LayerGraph graph) => Cache.GetValue(graph, Compute);

    /// <summary>
    /// <see cref="TensorsOf(LayerGraph)"/> for a model as written, without a shape probe: element types and shapes come from
    /// initializers and declared value infos. Used by <c>PrivacyAudit</c>, which must not run the model.
    /// </summary>
    public static IReadOnlySet<string> TensorsOf(ModelProto model)
    {
        var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        void Collect(GraphProto g)
        {
            foreach (var vi in g.Input.Concat(g.Output).Concat(g.ValueInfo))
            {
                if (vi.Type?.TensorType is not { } tt) continue;
                long[]? shape = tt.Shape is null || tt.Shape.Dim.Any(d => !d.HasDimValue) ? null : tt.Shape.Dim.Select(d => d.DimValue).ToArray();
                infos[vi.Name] = new TensorInfo { ElementType = tt.ElemType, Shape = shape };
            }
            foreach (var init in g.Initializer) infos[init.Name] = new TensorInfo { ElementType = init.DataType, Shape = init.Dims.ToArray() };
            foreach (var node in g.Node)
                foreach (var attr in node.Attribute)
                    foreach (var body in Subgraphs.GraphsOf(attr)) Collect(body);
        }
        Collect(model.Graph);
        var structural = new HashSet<string>(StringComparer.Ordinal);
        VisitGraph(model.Graph, structural, name => infos.GetValueOrDefault(name));
        return structural;
    }

    private static HashSet<string> Compute(LayerGraph graph)
    {
        var structural = new HashSet<string>(StringComparer.Ordinal);
        for (var i = graph.Layers.Count - 1; i >= 0; i--)
            Visit(graph.Layers[i].Node, structural, name => graph.Tensors.TryGetValue(name, out var t) ? t : null);
        return structural;
    }

    /// <summary>
    /// Structural names inside one subgraph whose enclosing node's structural outputs are already in <paramref name="structural"/>:
    /// nodes are visited last to first so that a value's every consumer is seen before the value.
    /// </summary>
    internal static void VisitGraph(GraphProto graph, HashSet<string> structural, Func<string, TensorInfo?> info)
    {
        for (var n = graph.Node.Count - 1; n >= 0; n--) Visit(graph.Node[n], structural, info);
    }

    private static void Visit(NodeProto node, HashSet<string> structural, Func<string, TensorInfo?> info)
    {
        var domain = node.Domain is "ai.onnx" ? "" : node.Domain;
        var outputStructural = node.Output.Any(o => o.Length > 0 && structural.Contains(o));
        var passes = outputStructural && domain.Length == 0 && ShapeArithmetic.Contains(node.OpType);
        for (var k = 0; k < node.Input.Count; k++)
        {
            var input = node.Input[k];
            if (input.Length == 0) continue;
            if (IsStructural(domain, node.OpType, k) || (passes && MayCarryStructure(info(input))))
                structural.Add(input);
        }
        // Control flow: a branch or body output is structural when the node output it becomes is; Loop's condition always is.
        foreach (var attr in node.Attribute)
        {
            foreach (var body in Subgraphs.GraphsOf(attr))
            {
                for (var o = 0; o < body.Output.Count; o++)
                {
                    var outer = node.OpType == "Loop" ? (o == 0 ? null : o - 1) : (int?)o;
                    if (outer is null || (outer < node.Output.Count && structural.Contains(node.Output[outer.Value])))
                        structural.Add(body.Output[o].Name);
                }
                VisitGraph(body, structural, info);
            }
        }
    }

    // Structure flows through integers, bools and tiny float tensors (Resize scales); never into a large float tensor,
    // which is an activation or a weight whatever it is later used for.
    private static bool MayCarryStructure(TensorInfo? info) =>
        info is null || !ElementTypes.IsFloat(info.ElementType) || (info.Shape is not null && info.ElementCount <= 8);
}
