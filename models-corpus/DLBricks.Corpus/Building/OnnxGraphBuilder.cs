using System.Globalization;
using System.Runtime.InteropServices;
using DLBricks.Onnx.Protos;
using Google.Protobuf;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Corpus.Building;

/// <summary>
/// Fluent builder for an ONNX graph and its model. Names are derived from a scope stack and an op counter, weights
/// from a seeded <see cref="WeightRandom"/>, and nothing depends on the clock, so the same calls with the same seed
/// serialize to identical bytes.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>ONNX IR version written into every model.</summary>
    public const long IrVersion = 8;

    /// <summary>Default opset of the standard domain.</summary>
    public const long DefaultOpset = 17;

    /// <summary>Producer name written into every model.</summary>
    public const string ProducerName = "DLBricks.Corpus";

    /// <summary>Bumped whenever a family's output changes, so cached files are regenerated.</summary>
    public const string ProducerVersion = "1";

    private readonly Names _names;
    private readonly List<string> _scopes = new();
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);

    /// <summary>Starts a root graph.</summary>
    public OnnxGraphBuilder(string graphName, BuildSettings? settings = null)
        : this(graphName, settings ?? BuildSettings.Default, new Names(), new WeightRandom((settings ?? BuildSettings.Default).Seed))
    {
    }

    private OnnxGraphBuilder(string graphName, BuildSettings settings, Names names, WeightRandom random)
    {
        Settings = settings;
        _names = names;
        Random = random;
        Graph = new GraphProto { Name = graphName };
    }

    /// <summary>Settings this builder was created with.</summary>
    public BuildSettings Settings { get; }

    /// <summary>The weight generator (shared with subgraphs).</summary>
    public WeightRandom Random { get; }

    /// <summary>The graph under construction.</summary>
    public GraphProto Graph { get; }

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => Graph.Node.Count;

    /// <summary>Number of weight elements added so far.</summary>
    public long ParameterCount { get; private set; }

    /// <summary>Doc string of the model (empty by default).</summary>
    public string ModelDocString { get; set; } = "";

    /// <summary>Model-level metadata_props, written in insertion order.</summary>
    public List<KeyValuePair<string, string>> Metadata { get; } = new();

    /// <summary>Builder for a subgraph (If branch, Loop body) that shares names and weight stream with this one.</summary>
    public OnnxGraphBuilder Subgraph(string graphName) => new(graphName, Settings, _names, Random);

    /// <summary>Pushes a name scope (e.g. "layer1.0"); dispose the result to pop it.</summary>
    public IDisposable Scope(string scope)
    {
        _scopes.Add(scope);
        return new ScopeHandle(_scopes);
    }

    /// <summary>A name unique in the whole model, derived from <paramref name="baseName"/>.</summary>
    public string UniqueName(string baseName) => _names.Claim(baseName);

    // ---- graph interface ----

    /// <summary>Declares a graph input.</summary>
    public string Input(string name, DataType type, params Dim[] shape)
    {
        Graph.Input.Add(ValueInfo(_names.Claim(name), type, shape));
        return Graph.Input[^1].Name;
    }

    /// <summary>Declares <paramref name="tensor"/> a graph output; an empty shape leaves the shape unspecified.</summary>
    public void Output(string tensor, DataType type, params Dim[] shape) =>
        Graph.Output.Add(ValueInfo(tensor, type, shape, shapeKnown: shape.Length > 0));

    /// <summary>
    /// Renames the output of the most recent node to <paramref name="name"/> (as exporters do with output_names) and
    /// declares it a graph output. Returns the new name for further use.
    /// </summary>
    public string Expose(string tensor, string name, DataType type, params Dim[] shape)
    {
        var last = Graph.Node.Count > 0 ? Graph.Node[^1] : null;
        int slot = last is null ? -1 : last.Output.IndexOf(tensor);
        if (slot < 0) throw new InvalidOperationException($"{tensor} is not an output of the most recent node.");
        last!.Output[slot] = _names.Claim(name);
        Output(last.Output[slot], type, shape);
        return last.Output[slot];
    }

    /// <summary>Value info for a tensor name.</summary>
    public static ValueInfoProto ValueInfo(string name, DataType type, IReadOnlyList<Dim> shape, bool shapeKnown = true)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (shapeKnown)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var d in shape)
                tensorType.Shape.Dim.Add(d.IsSymbolic
                    ? new TensorShapeProto.Types.Dimension { DimParam = d.Symbol }
                    : new TensorShapeProto.Types.Dimension { DimValue = d.Value!.Value });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    // ---- initializers ----

    /// <summary>Uniform random float weight in [-bound, bound), named within the current scope.</summary>
    public string Weight(string name, float bound, params long[] dims) => Uniform(name, -bound, bound, dims);

    /// <summary>Uniform random float weight in [low, high).</summary>
    public string Uniform(string name, float low, float high, params long[] dims)
    {
        long count = ElementCount(dims);
        var tensor = NewTensor(ScopedWeightName(name), DataType.Float, dims);
        if (!Settings.StructureOnly)
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(Random.FloatBytes(count, low, high));
        return AddInitializer(tensor, count);
    }

    /// <summary>Float weight filled with one value.</summary>
    public string Filled(string name, float value, params long[] dims)
    {
        long count = ElementCount(dims);
        var values = new float[count];
        Array.Fill(values, value);
        return Floats(ScopedWeightName(name), values, dims, scoped: false);
    }

    /// <summary>Float initializer with explicit values.</summary>
    public string Floats(string name, float[] values, long[] dims, bool scoped = true)
    {
        if (ElementCount(dims) != values.Length) throw new ArgumentException($"Initializer {name}: {values.Length} values for shape [{string.Join(",", dims)}].");
        var tensor = NewTensor(scoped ? ScopedWeightName(name) : _names.Claim(name), DataType.Float, dims);
        if (!Settings.StructureOnly)
            tensor.RawData = ByteString.CopyFrom(LittleEndianBytes<float>(values));
        return AddInitializer(tensor, values.Length);
    }

    /// <summary>Int64 initializer with explicit values; shape defaults to a 1-D vector.</summary>
    public string Int64s(string name, long[] values, long[]? dims = null)
    {
        dims ??= new long[] { values.Length };
        var tensor = NewTensor(_names.Claim(name), DataType.Int64, dims);
        // Small integer tensors drive shapes; they are written even in structure-only mode so shapes stay inferable.
        tensor.RawData = ByteString.CopyFrom(LittleEndianBytes<long>(values));
        return AddInitializer(tensor, 0);
    }

    /// <summary>Bool initializer with explicit values.</summary>
    public string Bools(string name, bool[] values, long[] dims)
    {
        var tensor = NewTensor(_names.Claim(name), DataType.Bool, dims);
        if (!Settings.StructureOnly)
        {
            var bytes = new byte[values.Length];
            for (int i = 0; i < values.Length; i++) bytes[i] = values[i] ? (byte)1 : (byte)0;
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes);
        }
        return AddInitializer(tensor, 0);
    }

    /// <summary>Shared float scalar constant (rank 0), created once per graph.</summary>
    public string Scalar(float value)
    {
        string key = "f:" + value.ToString("R", CultureInfo.InvariantCulture);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        var tensor = NewTensor(_names.Claim("const_f_" + SafeNumber(key[2..])), DataType.Float, Array.Empty<long>());
        tensor.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value).LittleEndian());
        return _constants[key] = AddInitializer(tensor, 0);
    }

    /// <summary>Shared int64 vector constant, created once per graph (axes, shapes, split sizes).</summary>
    public string Int64Vector(params long[] values)
    {
        string key = "i:" + string.Join(",", values);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        return _constants[key] = Int64s("const_i_" + SafeNumber(string.Join("_", values)), values);
    }

    /// <summary>Shared int64 scalar constant (rank 0).</summary>
    public string Int64Scalar(long value)
    {
        string key = "is:" + value.ToString(CultureInfo.InvariantCulture);
        if (_constants.TryGetValue(key, out var existing)) return existing;
        return _constants[key] = Int64s("const_is_" + SafeNumber(value.ToString(CultureInfo.InvariantCulture)), new[] { value }, Array.Empty<long>());
    }

    // ---- nodes ----

    /// <summary>Adds a node and returns its output names.</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputCount = 1, string? name = null, params AttributeProto[] attributes)
    {
        string nodeName = _names.Claim(name ?? ScopedNodeName(opType));
        var node = new NodeProto { OpType = opType, Name = nodeName };
        node.Input.AddRange(inputs);
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++)
            outputs[i] = _names.Claim(nodeName + "_output_" + i.ToString(CultureInfo.InvariantCulture));
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds a single-output node.</summary>
    public string Op(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, inputs, 1, null, attributes)[0];

    /// <summary>Adds a single-input, single-output node.</summary>
    public string Op(string opType, string input, params AttributeProto[] attributes) =>
        Node(opType, new[] { input }, 1, null, attributes)[0];

    /// <summary>Adds a node whose outputs have explicit names (subgraph outputs, readable tensor names).</summary>
    public NodeProto NamedNode(string opType, string nodeName, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = _names.Claim(nodeName) };
        node.Input.AddRange(inputs);
        foreach (var o in outputs) node.Output.Add(_names.Claim(o));
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node;
    }

    // ---- model ----

    /// <summary>Wraps the graph into a model with IR version 8 and the given opset of the standard domain.</summary>
    public ModelProto Build(long opset = DefaultOpset)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            DocString = ModelDocString,
            Graph = Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var kv in Metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
        return model;
    }

    // ---- internals ----

    private string ScopedWeightName(string name) =>
        _names.Claim(_scopes.Count == 0 ? name : string.Join(".", _scopes) + "." + name);

    private string ScopedNodeName(string opType) =>
        _scopes.Count == 0 ? "/" + opType : "/" + string.Join("/", _scopes) + "/" + opType;

    private static TensorProto NewTensor(string name, DataType type, long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)type };
        t.Dims.AddRange(dims);
        return t;
    }

    private string AddInitializer(TensorProto tensor, long parameters)
    {
        Graph.Initializer.Add(tensor);
        ParameterCount += parameters;
        return tensor.Name;
    }

    private static long ElementCount(long[] dims)
    {
        long n = 1;
        foreach (var d in dims) n = checked(n * d);
        return n;
    }

    private static string SafeNumber(string s) => s.Replace('-', 'm').Replace('.', 'p').Replace('+', 'P');

    private static byte[] LittleEndianBytes<T>(T[] values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return bytes.LittleEndian(System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
    }

    /// <summary>Claims names so every tensor and node name in a model is unique, deterministically.</summary>
    private sealed class Names
    {
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);

        public string Claim(string name)
        {
            if (_used.Add(name)) return name;
            int n = _next.GetValueOrDefault(name, 1);
            string candidate;
            do candidate = name + "_" + (n++).ToString(CultureInfo.InvariantCulture);
            while (!_used.Add(candidate));
            _next[name] = n;
            return candidate;
        }
    }

    private sealed class ScopeHandle(List<string> scopes) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            scopes.RemoveAt(scopes.Count - 1);
        }
    }
}

/// <summary>Byte-order fix-up for raw tensor data on big-endian hosts.</summary>
internal static class ByteOrder
{
    /// <summary>Reverses each <paramref name="width"/>-byte word on big-endian hosts; a no-op elsewhere.</summary>
    public static byte[] LittleEndian(this byte[] bytes, int width = 4)
    {
        if (BitConverter.IsLittleEndian || width == 1) return bytes;
        for (int i = 0; i < bytes.Length; i += width) Array.Reverse(bytes, i, width);
        return bytes;
    }
}
