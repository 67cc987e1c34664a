using System.Buffers;
using System.Security.Cryptography;
using DLBricks.Export;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Shared;
using Google.Protobuf;

namespace DLBricks.Splitting;

/// <summary>A weight slot of a brick: an initializer whose values are generated at export, never copied from the model.</summary>
/// <param name="Name">Canonical initializer name (<c>w0</c>, ...).</param>
/// <param name="ElementType">ONNX element type.</param>
/// <param name="Shape">Shape.</param>
/// <param name="Low">Lower bound of the uniform distribution for values of mixed or unknown sign.</param>
/// <param name="High">Upper bound of the uniform distribution for values of mixed or unknown sign.</param>
/// <param name="Profile">What the generated values keep of the original (zero, sign, magnitude bucket); part of the hash.</param>
internal sealed record WeightSlot(string Name, int ElementType, long[] Shape, float Low, float High, ValueProfile Profile);

/// <summary>
/// A brick in canonical form: a standalone ONNX model whose tensors, nodes and subgraph locals carry structural names
/// (<c>in0</c>, <c>w0</c>, <c>c0</c>, <c>n0</c>, <c>t0_0</c>, <c>out0</c>), with no doc strings, metadata or producer, and with
/// weights left as typed, shaped slots without data. <see cref="Hash"/> is SHA-256 over that skeleton's bytes and the
/// weight slots' <see cref="ValueProfile"/> tags, so it covers op types, domains, opset versions, sorted attributes
/// (subgraphs by structure), input/output types and shapes, wiring by position, the values of structural constants
/// (<see cref="StructuralInputs"/>) and the preserved properties of regenerated ones, and never names or trained values.
/// </summary>
internal sealed class CanonicalBrick
{
    private CanonicalBrick(ModelProto skeleton, string hash, IReadOnlyList<WeightSlot> weights, BrickSpec spec,
        IReadOnlyList<BrickTensor> inputs, IReadOnlyList<BrickTensor> outputs)
    {
        Skeleton = skeleton;
        Hash = hash;
        Weights = weights;
        Spec = spec;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The brick model without weight data. Do not mutate.</summary>
    public ModelProto Skeleton { get; }

    /// <summary>Lower-case hex SHA-256 of the canonical form.</summary>
    public string Hash { get; }

    /// <summary>Weights to generate at export.</summary>
    public IReadOnlyList<WeightSlot> Weights { get; }

    /// <summary>The chunk of the model this canonical form was made from (one of possibly many identical ones).</summary>
    public BrickSpec Spec { get; }

    /// <summary>Graph inputs as the benchmark must feed them.</summary>
    public IReadOnlyList<BrickTensor> Inputs { get; }

    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<BrickTensor> Outputs { get; }

    /// <summary>Version tag mixed into every hash; bump when the canonical form changes.</summary>
    public const string FormVersion = "dlbricks-brick-v2";

    /// <summary>Builds the canonical form of a chunk.</summary>
    public static CanonicalBrick From(BrickSpec spec)
    {
        var graph = spec.Graph;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var model = new ModelProto { Graph = new GraphProto() };
        var g = model.Graph;
        var inputs = new List<BrickTensor>();
        var weights = new List<WeightSlot>();
        int nIn = 0, nW = 0, nC = 0;
        var structural = StructuralInputs.TensorsOf(graph);
        var readByControlFlow = ControlFlowReads(spec);

        foreach (var b in spec.Boundary)
        {
            switch (b.Role)
            {
                case BoundaryRole.Input:
                {
                    var name = $"in{nIn++}";
                    names[b.Tensor] = name;
                    // The probe's static shape is what the benchmark feeds, but declared in the brick it lets ONNX Runtime
                    // check every branch against it; in the model those branches saw the model's own (often symbolic)
                    // dims, and an untaken one may not fit the probed shape. Declared symbolic, each branch is inferred on
                    // its own terms; the catalog still carries the static shape to feed.
                    g.Input.Add(readByControlFlow.Contains(b.Tensor) ? SymbolicValueInfo(name, b.Info) : ValueInfo(name, b.Info));
                    long[]? values = null;
                    double? min = null, max = null;
                    if (b.Info.IntegerValues is { Length: > 0 } iv)
                    {
                        // Values the benchmark must feed verbatim: structural ones and the model's own inputs. A computed
                        // non-structural integer (a quantized activation) is described by its range only.
                        var verbatim = structural.Contains(b.Tensor) || !graph.Producer.ContainsKey(b.Tensor);
                        values = verbatim && iv.Length <= 4096 ? iv : null;
                        min = iv.Min();
                        max = iv.Max();
                    }
                    inputs.Add(new BrickTensor(name, ElementTypes.Name(b.Info.ElementType), b.Info.Shape ?? [], values, min, max));
                    break;
                }
                case BoundaryRole.EmbeddedValue:
                {
                    var name = $"c{nC++}";
                    names[b.Tensor] = name;
                    var shape = b.Info.Shape ?? [];
                    g.Initializer.Add(b.Info.IntegerValues is { } ints
                        ? TensorValues.FromIntegers(name, b.Info.ElementType, shape, ints)
                        : TensorValues.FromFloats(name, b.Info.ElementType, shape, b.Info.FloatValues));
                    break;
                }
                default:
                {
                    var name = $"w{nW++}";
                    names[b.Tensor] = name;
                    var shape = b.Info.Shape ?? [];
                    var (low, high) = WeightRange(spec, b.Tensor, shape);
                    var profile = graph.Constants.Contains(b.Tensor) ? ValueProfile.OfConstant(graph, b.Tensor) : ValueProfile.Unknown;
                    weights.Add(new WeightSlot(name, b.Info.ElementType, shape, low, high, profile));
                    var slot = new TensorProto { Name = name, DataType = b.Info.ElementType };
                    slot.Dims.AddRange(shape);
                    g.Initializer.Add(slot);
                    break;
                }
            }
        }

        var outputNames = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < spec.Outputs.Count; k++) outputNames[spec.Outputs[k]] = $"out{k}";

        var domains = new SortedSet<string>(StringComparer.Ordinal) { "" };
        var nodeIndex = 0;
        foreach (var layer in spec.Layers)
        {
            var node = new NodeProto { OpType = layer.OpType, Domain = layer.Domain, Name = $"n{nodeIndex}" };
            domains.Add(layer.Domain);
            foreach (var input in layer.Inputs)
                node.Input.Add(input.Length == 0 ? "" : names[input]);
            for (var o = 0; o < layer.Outputs.Count; o++)
            {
                var original = layer.Outputs[o];
                if (original.Length == 0) { node.Output.Add(""); continue; }
                var name = outputNames.TryGetValue(original, out var outName) ? outName : $"t{nodeIndex}_{o}";
                names[original] = name;
                node.Output.Add(name);
            }
            var context = new Context(structural, graph.Model, domains);
            foreach (var attr in layer.Node.Attribute.OrderBy(a => a.Name, StringComparer.Ordinal))
                node.Attribute.Add(CanonicalAttribute(layer.Node, attr, names, $"s{nodeIndex}", context));
            g.Node.Add(node);
            nodeIndex++;
        }

        var outputs = new List<BrickTensor>();
        foreach (var original in spec.Outputs)
        {
            var info = graph.Tensors[original];
            var name = outputNames[original];
            g.Output.Add(ValueInfo(name, info));
            outputs.Add(new BrickTensor(name, ElementTypes.Name(info.ElementType), info.Shape ?? []));
        }

        foreach (var d in domains)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = d, Version = graph.OpsetVersion(d) });
        // IR 8 is the oldest version without the "initializers must be inputs" rule we don't follow; newer sources keep theirs.
        model.IrVersion = Math.Max(8, graph.Model.Proto.IrVersion);
        g.Name = "brick";

        return new CanonicalBrick(model, HashOf(model, weights), weights, spec, inputs, outputs);
    }

    /// <summary>Tensors that a layer with subgraphs (If, Loop, Scan) reads, explicitly or from its bodies.</summary>
    private static HashSet<string> ControlFlowReads(BrickSpec spec)
    {
        var reads = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in spec.Layers)
            if (Subgraphs.HasSubgraphs(layer.Node)) reads.UnionWith(layer.AllInputs);
        return reads;
    }

    private static readonly byte[] FormVersionBytes = System.Text.Encoding.UTF8.GetBytes(FormVersion);

    /// <summary>SHA-256 of <see cref="FormVersion"/>'s UTF-8 bytes, the serialized skeleton, then the weight profiles' tags.</summary>
    private static string HashOf(ModelProto model, IReadOnlyList<WeightSlot> weights)
    {
        // One pooled buffer and a one-shot hash: this runs for every layer and candidate of a model, and an array plus a
        // native hash context per brick was a measurable share of splitting large models. Same bytes, same digest.
        var profiles = System.Text.Encoding.UTF8.GetBytes(string.Join(';', weights.Select(w => $"{w.Name}={w.Profile.Tag}")));
        var modelSize = model.CalculateSize();
        var size = FormVersionBytes.Length + modelSize + profiles.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            FormVersionBytes.CopyTo(buffer, 0);
            model.WriteTo(buffer.AsSpan(FormVersionBytes.Length, modelSize));
            profiles.CopyTo(buffer.AsSpan(FormVersionBytes.Length + modelSize));
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, size), digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ValueInfoProto ValueInfo(string name, TensorInfo info)
    {
        var shape = new TensorShapeProto();
        foreach (var d in info.Shape ?? []) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = info.ElementType, Shape = shape } },
        };
    }

    private static ValueInfoProto SymbolicValueInfo(string name, TensorInfo info)
    {
        var shape = new TensorShapeProto();
        for (var k = 0; k < (info.Shape ?? []).Length; k++)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = $"{name}_d{k}" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = info.ElementType, Shape = shape } },
        };
    }

    /// <summary>What canonicalizing attributes and subgraphs needs from the model.</summary>
    private sealed record Context(IReadOnlySet<string> Structural, OnnxModel Model, SortedSet<string> Domains);

    private static AttributeProto CanonicalAttribute(NodeProto owner, AttributeProto attr, IReadOnlyDictionary<string, string> outer, string scope, Context context)
    {
        var copy = attr.Clone();
        copy.DocString = "";
        // ConstantOfShape's fill value is a hyperparameter of the op (what the buffer is filled with), not a trained value.
        var keep = owner.OpType == "ConstantOfShape";
        if (copy.T is not null) copy.T = keep ? Stripped(copy.T, "") : Regenerated(copy.T, "", $"{scope}_{attr.Name}", context.Model);
        for (var i = 0; i < copy.Tensors.Count; i++)
            copy.Tensors[i] = keep ? Stripped(copy.Tensors[i], "") : Regenerated(copy.Tensors[i], "", $"{scope}_{attr.Name}{i}", context.Model);
        if (copy.G is not null) copy.G = CanonicalSubgraph(copy.G, outer, $"{scope}_{attr.Name}", context);
        for (var i = 0; i < copy.Graphs.Count; i++)
            copy.Graphs[i] = CanonicalSubgraph(copy.Graphs[i], outer, $"{scope}_{attr.Name}{i}", context);
        return copy;
    }

    private static TensorProto Stripped(TensorProto tensor, string name)
    {
        var copy = tensor.Clone();
        copy.Name = name;
        copy.DocString = "";
        copy.MetadataProps.Clear();
        return copy;
    }

    // A non-structural value inside the skeleton (a subgraph constant): regenerated from its profile with a seed taken from
    // its canonical name, so the skeleton, hashed as it is, carries the preserved properties and never the original bytes.
    private static TensorProto Regenerated(TensorProto tensor, string name, string seedName, OnnxModel model)
    {
        ValueProfile profile;
        try { profile = ValueProfile.Of(tensor, model); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException) { profile = ValueProfile.Unknown; }
        var dims = tensor.Dims.ToArray();
        var fanIn = dims.Length >= 2 ? Math.Max(1, TensorValues.ElementCount(dims) / Math.Max(1, dims[0])) : 1;
        var bound = (float)(1.0 / Math.Sqrt(fanIn));
        return ValueGenerator.Generate(name, tensor.DataType, dims, profile, -bound, bound, ValueGenerator.SeedOf(seedName));
    }

    /// <summary>
    /// Renames every local of a subgraph (inputs, initializers, node outputs, node names) structurally; outer-scope references
    /// map through <paramref name="outer"/>. Initializers and <c>Constant</c> nodes keep their values only when structural.
    /// </summary>
    private static GraphProto CanonicalSubgraph(GraphProto graph, IReadOnlyDictionary<string, string> outer, string scope, Context context)
    {
        var names = new Dictionary<string, string>(outer, StringComparer.Ordinal);
        var result = new GraphProto { Name = scope };
        for (var i = 0; i < graph.Input.Count; i++)
        {
            var name = $"{scope}_i{i}";
            names[graph.Input[i].Name] = name;
            var vi = graph.Input[i].Clone();
            vi.Name = name;
            vi.DocString = "";
            vi.MetadataProps.Clear();
            result.Input.Add(vi);
        }
        for (var i = 0; i < graph.Initializer.Count; i++)
        {
            var name = $"{scope}_c{i}";
            var init = graph.Initializer[i];
            names[init.Name] = name;
            result.Initializer.Add(context.Structural.Contains(init.Name) ? Stripped(init, name) : Regenerated(init, name, name, context.Model));
        }
        for (var n = 0; n < graph.Node.Count; n++)
        {
            var src = graph.Node[n];
            var node = new NodeProto { OpType = src.OpType, Domain = src.Domain, Name = $"{scope}_n{n}" };
            context.Domains.Add(src.Domain is "ai.onnx" ? "" : src.Domain);
            foreach (var input in src.Input)
                node.Input.Add(input.Length == 0 ? "" : names.TryGetValue(input, out var mapped) ? mapped : input);
            for (var o = 0; o < src.Output.Count; o++)
            {
                if (src.Output[o].Length == 0) { node.Output.Add(""); continue; }
                var name = $"{scope}_t{n}_{o}";
                names[src.Output[o]] = name;
                node.Output.Add(name);
            }
            if (src.OpType == "Constant" && node.Domain.Length == 0 && src.Output.Count == 1)
            {
                node.Attribute.Add(CanonicalConstant(src, context.Structural.Contains(src.Output[0]), $"{scope}_n{n}", context.Model));
            }
            else
            {
                foreach (var attr in src.Attribute.OrderBy(a => a.Name, StringComparer.Ordinal))
                    node.Attribute.Add(CanonicalAttribute(src, attr, names, $"{scope}_n{n}", context));
            }
            result.Node.Add(node);
        }
        foreach (var output in graph.Output)
        {
            var vi = output.Clone();
            vi.Name = names.TryGetValue(output.Name, out var mapped) ? mapped : output.Name;
            vi.DocString = "";
            vi.MetadataProps.Clear();
            result.Output.Add(vi);
        }
        // value_info inside subgraphs only carries names and hints; drop it rather than leak names.
        return result;
    }

    // Every number-carrying form of a Constant (value, value_float(s), value_int(s)) becomes one 'value' tensor: kept when
    // structural, regenerated otherwise. A sparse or string constant is kept as written only when structural.
    private static AttributeProto CanonicalConstant(NodeProto node, bool structural, string scope, OnnxModel model)
    {
        var value = ValueProfile.ConstantValue(node);
        if (value is null)
        {
            if (structural) return node.Attribute[0].Clone();
            throw new InvalidModelException(
                $"{model.Path}: Constant node '{node.Name}' holds a sparse or string value that a brick cannot regenerate; densify it (e.g. with onnx's sparse-to-dense conversion) and split again.");
        }
        var tensor = structural ? Stripped(value, "") : Regenerated(value, "", scope, model);
        return new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
    }

    private static (float Low, float High) WeightRange(BrickSpec spec, string tensor, long[] shape)
    {
        foreach (var layer in spec.Layers)
        {
            for (var i = 0; i < layer.Inputs.Count; i++)
            {
                if (layer.Inputs[i] != tensor) continue;
                // Inputs that must be positive (variance, scale of a normalization, denominators, roots, logs).
                var positive = (layer.OpType, i) switch
                {
                    ("BatchNormalization", 1 or 4) => true,
                    ("InstanceNormalization", 1) => true,
                    ("Div", 1) => true,
                    ("Sqrt" or "Log" or "Reciprocal" or "Pow", 0) => true,
                    _ => false,
                };
                if (positive) return (0.5f, 1.5f);
            }
        }
        // Scale by fan-in so activations stay O(1) through a few layers: no overflow, no denormals.
        var fanIn = shape.Length >= 2 ? Math.Max(1, TensorValues.ElementCount(shape) / Math.Max(1, shape[0])) : 1;
        var bound = (float)(1.0 / Math.Sqrt(fanIn));
        return (-bound, bound);
    }
}
