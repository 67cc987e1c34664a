using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DLBricks.Export;

/// <summary>What kind of original information a <see cref="PrivacyFinding"/> is.</summary>
public enum PrivacyFindingKind
{
    /// <summary>A node, tensor, graph or function name of an original model.</summary>
    Name,
    /// <summary>A doc string of an original model.</summary>
    DocString,
    /// <summary>A metadata key or value, producer or domain of an original model.</summary>
    Metadata,
    /// <summary>Bytes or values of a non-structural initializer or constant of an original model.</summary>
    Value,
}

/// <summary>One piece of an original model found in a public file of a split.</summary>
/// <param name="File">The public file, relative to the split folder (<c>bricks/&lt;hash&gt;.onnx</c>, <c>catalog.json</c>).</param>
/// <param name="Kind">What was found.</param>
/// <param name="Model">The original model it comes from.</param>
/// <param name="What">One line naming the original item (e.g. <c>initializer 'fc.bias' (float[8]): whole tensor</c>).</param>
/// <param name="Offset">Byte offset of the first occurrence in <paramref name="File"/>, when found in its bytes.</param>
public sealed record PrivacyFinding(string File, PrivacyFindingKind Kind, string Model, string What, long? Offset)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}{(Offset is { } o ? $" @{o}" : "")}: {Kind.ToString().ToLowerInvariant()} of {Model}: {What}";
}

/// <summary>Limits of the audit's value search; the defaults are what <c>split</c> and <c>audit-privacy</c> use.</summary>
public sealed record PrivacyAuditOptions
{
    /// <summary>Length of the windows large tensors are searched by.</summary>
    public int WindowBytes { get; init; } = 64;

    /// <summary>
    /// Tensors shorter than this many bytes are not searched: a 4-byte scalar (one float, one int32) occurs by coincidence
    /// in attributes (epsilons, alphas) and structural values (1, -1), so finding it proves nothing.
    /// </summary>
    public int MinValueBytes { get; init; } = 8;

    /// <summary>
    /// Searched byte strings must hold at least this many distinct byte values: all-zero, all-one and repeated-scalar tensors
    /// are what regenerated zeros and structural constants contain by construction.
    /// </summary>
    public int MinDistinctBytes { get; init; } = 4;

    /// <summary>Names and doc strings at least this long are also searched as raw bytes anywhere in a file (shorter ones only as whole strings).</summary>
    public int MinRawStringLength { get; init; } = 8;

    /// <summary>Trained bytes up to which window starts are taken at every byte; beyond it the stride grows (at most <see cref="WindowBytes"/>).</summary>
    public long DenseWindowBytes { get; init; } = 4L << 20;
}

/// <summary>The audit's result.</summary>
/// <param name="SplitDirectory">The audited split folder.</param>
/// <param name="PublicFiles">Public files scanned, relative to the folder.</param>
/// <param name="Findings">Everything found, by file then offset; empty when nothing of the originals is in a public file.</param>
/// <param name="WindowStride">Distance between window starts in the largest model's trained bytes: any leaked run of
/// <see cref="PrivacyAuditOptions.WindowBytes"/> + stride - 1 bytes is always found.</param>
public sealed record PrivacyAuditReport(string SplitDirectory, IReadOnlyList<string> PublicFiles, IReadOnlyList<PrivacyFinding> Findings, int WindowStride)
{
    /// <summary>True when no finding was made.</summary>
    public bool IsClean => Findings.Count == 0;
}

/// <summary>
/// Checks that the public files of a split (<c>bricks/</c>, <c>catalog.json</c> and anything else in the folder except the
/// owner-only <c>recipes/</c>) hold nothing of the original models: no name, doc string or metadata entry, and no bytes of a
/// non-structural initializer or constant (whole tensors of at least <see cref="PrivacyAuditOptions.MinValueBytes"/> bytes,
/// 64-byte windows of larger ones, in every element type as stored), nor its values in the catalog's integer lists.
/// Structural values (<see cref="StructuralInputs"/>) are published by design and not searched.
/// </summary>
public static class PrivacyAudit
{
    /// <summary>Audits <paramref name="splitDirectory"/> against the original <paramref name="modelPaths"/>.</summary>
    /// <exception cref="InvalidModelException">A model cannot be read, or the folder is not a split output.</exception>
    public static PrivacyAuditReport Run(string splitDirectory, IReadOnlyList<string> modelPaths, PrivacyAuditOptions? options = null)
    {
        options ??= new PrivacyAuditOptions();
        var root = Path.GetFullPath(splitDirectory);
        if (!File.Exists(Path.Combine(root, BrickCatalog.FileName)))
            throw new InvalidModelException($"{root}: no {BrickCatalog.FileName}; point the audit at a folder written by 'dlbricks split'.");
        var files = PublicFiles(root);
        var findings = new List<PrivacyFinding>();
        var stride = 1;
        foreach (var path in modelPaths)
        {
            var secrets = Secrets.Of(OnnxModel.Load(path), options);
            stride = Math.Max(stride, secrets.Stride);
            foreach (var file in files)
                findings.AddRange(secrets.Find(file, File.ReadAllBytes(Path.Combine(root, file))));
        }
        findings.Sort((a, b) => string.CompareOrdinal(a.File, b.File) is var c and not 0 ? c : Nullable.Compare(a.Offset, b.Offset));
        return new PrivacyAuditReport(root, files, findings, stride);
    }

    /// <summary>Every file of a split folder a model owner may publish: all but <c>recipes/</c> (and the split's own staging folders).</summary>
    public static IReadOnlyList<string> PublicFiles(string splitDirectory)
    {
        var root = Path.GetFullPath(splitDirectory);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith(ModelRecipe.FolderName + "/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One-line summary plus the first findings, for error messages and the CLI.</summary>
    public static string Describe(PrivacyAuditReport report, int maxLines = 20)
    {
        if (report.IsClean) return $"privacy audit: {report.PublicFiles.Count} public files, nothing of the original models found.";
        var sb = new StringBuilder($"privacy audit: {report.Findings.Count} finding(s) in the public files of {report.SplitDirectory}:");
        foreach (var f in report.Findings.Take(maxLines)) sb.Append("\n  ").Append(f);
        if (report.Findings.Count > maxLines) sb.Append($"\n  ... and {report.Findings.Count - maxLines} more");
        return sb.ToString();
    }

    private sealed record Probe(string What, byte[] Bytes);

    /// <summary>What one model must not reveal, indexed for a single pass over each public file.</summary>
    private sealed class Secrets
    {
        private readonly string _model;
        private readonly PrivacyAuditOptions _options;
        private readonly Dictionary<string, (PrivacyFindingKind Kind, string What)> _strings = new(StringComparer.Ordinal);
        private readonly HashSet<string> _vocabulary = new(StringComparer.Ordinal);
        private readonly Dictionary<ulong, List<Probe>> _whole = [];
        private readonly Dictionary<ulong, (int Probe, int Offset)> _windows = [];
        private readonly List<Probe> _large = [];
        private readonly List<(string What, string Values)> _integerLists = [];
        private readonly Dictionary<ulong, List<(byte[] Bytes, PrivacyFindingKind Kind, string What)>> _rawStrings = [];

        private Secrets(string model, PrivacyAuditOptions options)
        {
            _model = model;
            _options = options;
        }

        public int Stride { get; private set; } = 1;

        public static Secrets Of(OnnxModel model, PrivacyAuditOptions options)
        {
            var s = new Secrets(model.Name, options);
            var proto = model.Proto;
            s.AddString(proto.DocString, PrivacyFindingKind.DocString, "model doc string");
            s.AddString(proto.ProducerName, PrivacyFindingKind.Metadata, "producer name");
            s.AddString(proto.Domain, PrivacyFindingKind.Metadata, "model domain");
            foreach (var m in proto.MetadataProps)
            {
                s.AddString(m.Key, PrivacyFindingKind.Metadata, $"metadata key '{m.Key}'");
                s.AddString(m.Value, PrivacyFindingKind.Metadata, $"metadata value of '{m.Key}'");
            }
            var structural = StructuralInputs.TensorsOf(proto);
            var values = new List<(string What, TensorProto Tensor)>();
            s.CollectGraph(proto.Graph, structural, values);
            foreach (var f in proto.Functions)
            {
                s.AddString(f.Name, PrivacyFindingKind.Name, $"function name '{f.Name}'");
                s.AddString(f.DocString, PrivacyFindingKind.DocString, $"doc string of function '{f.Name}'");
                foreach (var n in f.Node) s.CollectNode(n, structural, values);
            }
            s.IndexValues(model, values);
            s.IndexRawStrings();
            return s;
        }

        private void AddString(string text, PrivacyFindingKind kind, string what)
        {
            if (text.Length > 0) _strings.TryAdd(text, (kind, what));
        }

        private void CollectGraph(GraphProto g, IReadOnlySet<string> structural, List<(string, TensorProto)> values)
        {
            AddString(g.Name, PrivacyFindingKind.Name, $"graph name '{g.Name}'");
            AddString(g.DocString, PrivacyFindingKind.DocString, $"doc string of graph '{g.Name}'");
            foreach (var vi in g.Input.Concat(g.Output).Concat(g.ValueInfo))
            {
                AddString(vi.Name, PrivacyFindingKind.Name, $"tensor name '{vi.Name}'");
                AddString(vi.DocString, PrivacyFindingKind.DocString, $"doc string of tensor '{vi.Name}'");
            }
            foreach (var init in g.Initializer)
            {
                AddString(init.Name, PrivacyFindingKind.Name, $"initializer name '{init.Name}'");
                AddString(init.DocString, PrivacyFindingKind.DocString, $"doc string of initializer '{init.Name}'");
                if (!structural.Contains(init.Name)) values.Add(($"initializer '{init.Name}'", init));
            }
            foreach (var n in g.Node) CollectNode(n, structural, values);
        }

        private void CollectNode(NodeProto n, IReadOnlySet<string> structural, List<(string, TensorProto)> values)
        {
            _vocabulary.Add(n.OpType);
            _vocabulary.Add(n.Domain);
            AddString(n.Name, PrivacyFindingKind.Name, $"node name '{n.Name}'");
            AddString(n.DocString, PrivacyFindingKind.DocString, $"doc string of node '{n.Name}'");
            foreach (var t in n.Input.Concat(n.Output)) AddString(t, PrivacyFindingKind.Name, $"tensor name '{t}'");
            if (n.OpType == "Constant" && n.Output.Count == 1 && !structural.Contains(n.Output[0]) && ValueProfile.ConstantValue(n) is { } c)
                values.Add(($"constant '{n.Output[0]}'", c));
            foreach (var a in n.Attribute)
            {
                _vocabulary.Add(a.Name);
                if (a.S.Length > 0) _vocabulary.Add(a.S.ToStringUtf8());
                foreach (var str in a.Strings) _vocabulary.Add(str.ToStringUtf8());
                AddString(a.DocString, PrivacyFindingKind.DocString, $"doc string of attribute '{a.Name}' of node '{n.Name}'");
                if (a.T is not null && n.OpType != "Constant" && n.OpType != "ConstantOfShape") values.Add(($"tensor attribute '{a.Name}' of node '{n.Name}'", a.T));
                foreach (var body in Subgraphs.GraphsOf(a)) CollectGraph(body, structural, values);
            }
        }

        private void IndexValues(OnnxModel model, List<(string What, TensorProto Tensor)> values)
        {
            var probes = new List<Probe>();
            foreach (var (what, tensor) in values)
            {
                byte[] bytes;
                try { bytes = StoredBytes(tensor, model); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException) { continue; }
                var label = $"{what} ({ElementTypes.Name(tensor.DataType)}[{string.Join('x', tensor.Dims)}])";
                if (ElementTypes.IsInteger(tensor.DataType) && TensorValues.ElementCount(tensor.Dims) is >= 4 and <= 4096)
                {
                    var ints = TensorValues.ReadIntegers(tensor, model);
                    if (ints.Distinct().Count() >= 2) _integerLists.Add((label, string.Join(',', ints)));
                }
                if (bytes.Length >= _options.MinValueBytes) probes.Add(new Probe(label, bytes));
            }
            var largeBytes = probes.Where(p => p.Bytes.Length > _options.WindowBytes).Sum(p => (long)p.Bytes.Length);
            Stride = (int)Math.Clamp((largeBytes + _options.DenseWindowBytes - 1) / _options.DenseWindowBytes, 1, _options.WindowBytes);
            foreach (var p in probes)
            {
                if (p.Bytes.Length <= _options.WindowBytes)
                {
                    if (!Informative(p.Bytes)) continue;
                    var key = BinaryPrimitives.ReadUInt64LittleEndian(p.Bytes);
                    if (!_whole.TryGetValue(key, out var list)) _whole[key] = list = [];
                    list.Add(p);
                    continue;
                }
                var index = _large.Count;
                _large.Add(p);
                for (var o = 0; o + _options.WindowBytes <= p.Bytes.Length; o += Stride)
                {
                    var window = p.Bytes.AsSpan(o, _options.WindowBytes);
                    if (!Informative(window)) continue;
                    _windows.TryAdd(BinaryPrimitives.ReadUInt64LittleEndian(window), (index, o));
                }
            }
        }

        // Long strings are also looked for anywhere in a file's bytes, keyed by their first 8 bytes like the values; strings
        // inside the public vocabulary (op types, attribute names and values, which bricks carry by design) are not.
        private void IndexRawStrings()
        {
            foreach (var (text, s) in _strings)
            {
                if (text.Length < _options.MinRawStringLength || _vocabulary.Any(v => v.Contains(text, StringComparison.Ordinal))) continue;
                var bytes = Encoding.UTF8.GetBytes(text);
                var key = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                if (!_rawStrings.TryGetValue(key, out var list)) _rawStrings[key] = list = [];
                list.Add((bytes, s.Kind, s.What));
            }
        }

        private bool Informative(ReadOnlySpan<byte> bytes)
        {
            Span<bool> seen = stackalloc bool[256];
            var distinct = 0;
            foreach (var b in bytes)
                if (!seen[b]) { seen[b] = true; if (++distinct >= _options.MinDistinctBytes) return true; }
            return false;
        }

        public IEnumerable<PrivacyFinding> Find(string file, byte[] bytes)
        {
            var found = new List<PrivacyFinding>();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            void Report(PrivacyFindingKind kind, string what, long? offset)
            {
                if (reported.Add(what)) found.Add(new PrivacyFinding(file, kind, _model, what, offset));
            }

            // Values and long strings: one pass, an 8-byte key at every offset, verified in full on a hit.
            for (var i = 0; i + 8 <= bytes.Length; i++)
            {
                var key = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i));
                if (_whole.TryGetValue(key, out var list))
                    foreach (var p in list)
                        if (bytes.AsSpan(i).StartsWith(p.Bytes)) Report(PrivacyFindingKind.Value, $"{p.What}: whole tensor", i);
                if (_rawStrings.TryGetValue(key, out var texts))
                    foreach (var t in texts)
                        if (bytes.AsSpan(i).StartsWith(t.Bytes)) Report(t.Kind, t.What, i);
                if (_windows.TryGetValue(key, out var w))
                {
                    var p = _large[w.Probe];
                    if (bytes.AsSpan(i).StartsWith(p.Bytes.AsSpan(w.Offset, _options.WindowBytes)))
                        Report(PrivacyFindingKind.Value, $"{p.What}: {_options.WindowBytes}-byte window from byte {w.Offset}", i);
                }
            }

            // Strings: whole strings of the file's structure (long ones were also looked for in the bytes above).
            foreach (var text in StringsOf(file, bytes))
                if (_strings.TryGetValue(text, out var s) && !_vocabulary.Contains(text)) Report(s.Kind, s.What, null);

            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                var lists = IntegerListsOf(bytes);
                foreach (var (what, values) in _integerLists)
                    if (lists.Any(l => $",{l},".Contains($",{values},", StringComparison.Ordinal)))
                        Report(PrivacyFindingKind.Value, $"{what}: its values in a JSON list", null);
            }
            return found;
        }

        private static IEnumerable<string> StringsOf(string file, byte[] bytes)
        {
            if (file.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                ModelProto model;
                try { model = ModelProto.Parser.ParseFrom(bytes); }
                catch (InvalidProtocolBufferException) { return []; }
                var result = new List<string>();
                CollectStrings(model, result);
                return result;
            }
            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    var result = new List<string>();
                    CollectStrings(JsonDocument.Parse(bytes).RootElement, result);
                    return result;
                }
                catch (JsonException) { return []; }
            }
            return [];
        }

        // Every string field of a message (and the text-carrying bytes fields: string attributes and string tensors), found
        // by reflection over the protobuf descriptors so no field can be missed; numeric and raw-data fields are skipped.
        private static void CollectStrings(IMessage message, List<string> result)
        {
            foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
            {
                var type = field.FieldType;
                var text = type == FieldType.String || (type == FieldType.Bytes && field.Name is "s" or "strings" or "string_data");
                if (!text && type is not FieldType.Message and not FieldType.Group) continue;
                var value = field.Accessor.GetValue(message);
                if (field.IsRepeated)
                {
                    foreach (var item in (System.Collections.IEnumerable)value) Add(item);
                }
                else
                {
                    Add(value);
                }
            }

            void Add(object? item)
            {
                switch (item)
                {
                    case string s when s.Length > 0: result.Add(s); break;
                    case ByteString b when !b.IsEmpty: result.Add(b.ToStringUtf8()); break;
                    case IMessage m: CollectStrings(m, result); break;
                }
            }
        }

        private static void CollectStrings(JsonElement e, List<string> result)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String: result.Add(e.GetString()!); break;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) CollectStrings(p.Value, result); // keys are the fixed schema
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray()) CollectStrings(item, result);
                    break;
            }
        }

        private static List<string> IntegerListsOf(byte[] bytes)
        {
            var lists = new List<string>();
            void Walk(JsonElement e)
            {
                if (e.ValueKind == JsonValueKind.Object) foreach (var p in e.EnumerateObject()) Walk(p.Value);
                else if (e.ValueKind == JsonValueKind.Array)
                {
                    if (e.GetArrayLength() > 0 && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out _)))
                        lists.Add(string.Join(',', e.EnumerateArray().Select(x => x.GetInt64())));
                    else foreach (var item in e.EnumerateArray()) Walk(item);
                }
            }
            try { Walk(JsonDocument.Parse(bytes).RootElement); }
            catch (JsonException) { }
            return lists;
        }

        /// <summary>The tensor's values as little-endian bytes of its own element type: how any file would store them raw.</summary>
        private static byte[] StoredBytes(TensorProto tensor, OnnxModel model)
        {
            if (ExternalData.IsExternal(tensor)) return ExternalData.ReadBytes(model, tensor);
            if (!tensor.RawData.IsEmpty) return tensor.RawData.ToByteArray();
            var type = (TensorProto.Types.DataType)tensor.DataType;
            var dims = tensor.Dims.ToArray();
            if (type == TensorProto.Types.DataType.Double)
            {
                var bytes = new byte[tensor.DoubleData.Count * 8];
                for (var i = 0; i < tensor.DoubleData.Count; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), tensor.DoubleData[i]);
                return bytes;
            }
            if (ElementTypes.IsFloat(tensor.DataType))
                return TensorValues.FromFloats("", tensor.DataType, dims, TensorValues.ReadFloats(tensor)).RawData.ToByteArray();
            if (ElementTypes.IsInteger(tensor.DataType) || type == TensorProto.Types.DataType.Bool)
                return TensorValues.FromIntegers("", tensor.DataType, dims, TensorValues.ReadIntegers(tensor)).RawData.ToByteArray();
            return [];
        }
    }
}
