using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using DLBricks.Graph;
using DLBricks.Shared;
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
internal sealed record PrivacyAuditOptions
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

    /// <summary>
    /// Most window starts indexed for one model: up to this many trained bytes, windows start at every byte; beyond it the
    /// stride grows so the model contributes at most this many windows.
    /// </summary>
    public long DenseWindowBytes { get; init; } = 2L << 20;

    /// <summary>
    /// Most window starts indexed over all audited models together (each model gets an equal share, at most
    /// <see cref="DenseWindowBytes"/>), so the audit's memory stays flat however many models a split holds: about 40 bytes
    /// per window. The first window of every tensor is always indexed, so a whole tensor copied verbatim is found whatever
    /// the stride.
    /// </summary>
    public long MaxWindows { get; init; } = 8L << 20;
}

/// <summary>The audit's result.</summary>
/// <param name="SplitDirectory">The audited split folder.</param>
/// <param name="PublicFiles">Public files scanned, relative to the folder.</param>
/// <param name="Findings">Everything found, by file then offset; empty when nothing of the originals is in a public file.</param>
/// <param name="WindowStride">Distance between window starts in the largest model's trained bytes: any leaked run of
/// <see cref="PrivacyAuditOptions.WindowBytes"/> + stride - 1 bytes is always found, and so is any whole tensor.</param>
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
internal static class PrivacyAudit
{
    /// <summary>Audits <paramref name="splitDirectory"/> against the original <paramref name="modelPaths"/>.</summary>
    /// <exception cref="InvalidModelException">A model cannot be read, or the folder is not a split output.</exception>
    public static PrivacyAuditReport Run(string splitDirectory, IReadOnlyList<string> modelPaths, PrivacyAuditOptions? options = null) =>
        new PrivacyAuditor(modelPaths, options).Audit(splitDirectory);

    /// <summary>
    /// Audits several split folders of the same models (one per G) with one index of the models, and scans each brick file
    /// once: a brick's file name is its content hash, so its findings hold in every folder that has it.
    /// </summary>
    internal sealed class PrivacyAuditor(IReadOnlyList<string> modelPaths, PrivacyAuditOptions? options = null, int jobs = 1)
    {
        private readonly PrivacyAuditOptions _options = options ?? new PrivacyAuditOptions();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PrivacyFinding[]> _brickFindings = new(StringComparer.Ordinal);
        private Secrets? _index;

        /// <exception cref="InvalidModelException">A model cannot be read, or the folder is not a split output.</exception>
        public PrivacyAuditReport Audit(string splitDirectory)
        {
            var root = Path.GetFullPath(splitDirectory);
            if (!File.Exists(Path.Combine(root, BrickCatalog.FileName)))
                throw new InvalidModelException($"{root}: no {BrickCatalog.FileName}; point the audit at a folder written by 'dlbricks split'.");
            var files = PublicFiles(root);
            if (_index is null)
            {
                // One index over all models, one read and one pass per public file: a split of a few models can publish gigabytes.
                var index = new Secrets(_options, modelPaths.Count);
                foreach (var path in modelPaths) index.Add(OnnxModel.Load(path));
                index.Freeze();
                _index = index;
            }
            var perFile = new PrivacyFinding[files.Count][];
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, i =>
            {
                var file = files[i];
                var isBrick = file.StartsWith("bricks/", StringComparison.Ordinal) && file.EndsWith(".onnx", StringComparison.Ordinal);
                perFile[i] = isBrick
                    ? _brickFindings.GetOrAdd(file, f => _index.Find(f, File.ReadAllBytes(Path.Combine(root, f))).ToArray())
                    : _index.Find(file, File.ReadAllBytes(Path.Combine(root, file))).ToArray();
            });
            var findings = perFile.SelectMany(f => f).ToList();
            findings.Sort((a, b) => string.CompareOrdinal(a.File, b.File) is var c and not 0 ? c : Nullable.Compare(a.Offset, b.Offset));
            return new PrivacyAuditReport(root, files, findings, _index.Stride);
        }
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

    /// <summary>One thing to look for at a byte offset: a whole tensor, a window of a large one, or a long string.</summary>
    /// <remarks>Kept free of references (28 bytes) because a large audit holds millions of them.</remarks>
    private struct Entry
    {
        public int Label;      // index into the labels: model, kind, what
        public int Whole;      // whole tensors and strings: index of their bytes, compared in full; windows: -1
        public int Length;     // windows: length, and a hash of the whole window instead of its bytes
        public ulong Check;
        public int Offset;     // windows: where the window starts in the original tensor
        public int Next;       // next entry with the same 8-byte key, or -1
    }

    /// <summary>What the models must not reveal, indexed by 8-byte key for a single pass over each public file.</summary>
    private sealed class Secrets(PrivacyAuditOptions options, int modelCount)
    {
        private const int FilterBits = 26;
        private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
        private readonly HashSet<string> _vocabulary = new(StringComparer.Ordinal);
        private readonly List<(string Model, PrivacyFindingKind Kind, string What)> _labels = [];
        private readonly Dictionary<ulong, int> _heads = [];
        private readonly List<Entry> _entries = [];
        private readonly List<byte[]> _wholes = [];
        private readonly List<(int Label, string Values)> _integerLists = [];
        private readonly ulong[] _filter = new ulong[1 << (FilterBits - 6)];
        private string _model = "";

        public int Stride { get; private set; } = 1;

        public void Add(OnnxModel model)
        {
            _model = model.Name;
            var proto = model.Proto;
            AddString(proto.DocString, PrivacyFindingKind.DocString, "model doc string");
            AddString(proto.ProducerName, PrivacyFindingKind.Metadata, "producer name");
            AddString(proto.Domain, PrivacyFindingKind.Metadata, "model domain");
            foreach (var m in proto.MetadataProps)
            {
                AddString(m.Key, PrivacyFindingKind.Metadata, $"metadata key '{m.Key}'");
                AddString(m.Value, PrivacyFindingKind.Metadata, $"metadata value of '{m.Key}'");
            }
            var structural = StructuralInputs.TensorsOf(proto);
            var values = new List<(string What, TensorProto Tensor)>();
            CollectGraph(proto.Graph, structural, values);
            foreach (var f in proto.Functions)
            {
                AddString(f.Name, PrivacyFindingKind.Name, $"function name '{f.Name}'");
                AddString(f.DocString, PrivacyFindingKind.DocString, $"doc string of function '{f.Name}'");
                foreach (var n in f.Node) CollectNode(n, structural, values);
            }
            IndexValues(model, values);
        }

        private int Label(PrivacyFindingKind kind, string what)
        {
            _labels.Add((_model, kind, what));
            return _labels.Count - 1;
        }

        // Names of the form bricks give every tensor and node (in0, w1, c2, n3, t4_0, out0, s5_..., brick) say nothing even
        // when an original model happens to use them, and would be "found" in every brick.
        private static readonly System.Text.RegularExpressions.Regex Canonical =
            new(@"^(?:(?:in|out|w|c|n)\d+|t\d+_\d+|s\d+(?:_\w+)?|brick)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private void AddString(string text, PrivacyFindingKind kind, string what)
        {
            if (text.Length > 0 && !_strings.ContainsKey(text) && !Canonical.IsMatch(text)) _strings[text] = Label(kind, what);
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
            var tensors = new List<(int Label, byte[] Bytes)>();
            foreach (var (what, tensor) in values)
            {
                byte[] bytes;
                try { bytes = StoredBytes(tensor, model); }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException) { continue; }
                if (bytes.Length < options.MinValueBytes && !ElementTypes.IsInteger(tensor.DataType)) continue;
                var label = Label(PrivacyFindingKind.Value, $"{what} ({ElementTypes.Name(tensor.DataType)}[{string.Join('x', tensor.Dims)}])");
                if (ElementTypes.IsInteger(tensor.DataType) && TensorValues.ElementCount(tensor.Dims) is >= 4 and <= 4096)
                {
                    var ints = TensorValues.ReadIntegers(tensor, model);
                    if (ints.Distinct().Count() >= 2) _integerLists.Add((label, string.Join(',', ints)));
                }
                if (bytes.Length >= options.MinValueBytes) tensors.Add((label, bytes));
            }
            // Window starts at every byte while the index stays small; beyond that a stride that keeps this model's share of the
            // window budget, so memory does not grow with the number or size of the models audited together.
            var largeBytes = tensors.Where(t => t.Bytes.Length > options.WindowBytes).Sum(t => (long)t.Bytes.Length);
            var windows = Math.Max(1, Math.Min(options.DenseWindowBytes, options.MaxWindows / Math.Max(1, modelCount)));
            var stride = (int)Math.Clamp((largeBytes + windows - 1) / windows, 1, int.MaxValue);
            Stride = Math.Max(Stride, stride);
            foreach (var (label, bytes) in tensors)
            {
                if (bytes.Length <= options.WindowBytes)
                {
                    if (Informative(bytes)) InsertWhole(bytes, label);
                    continue;
                }
                var indexed = false;
                for (var o = 0; o + options.WindowBytes <= bytes.Length; o += stride)
                {
                    if (!Informative(bytes.AsSpan(o, options.WindowBytes))) continue;
                    InsertWindow(bytes, o, label);
                    indexed = true;
                }
                // A wide stride may land only on uninformative windows (leading zeros); the tensor still gets its first informative one.
                for (var o = 1; !indexed && o + options.WindowBytes <= bytes.Length; o++)
                {
                    if (!Informative(bytes.AsSpan(o, options.WindowBytes))) continue;
                    InsertWindow(bytes, o, label);
                    indexed = true;
                }
            }
        }

        // Long strings are also looked for anywhere in a file's bytes; those inside the public vocabulary (op types,
        // attribute names and values, which bricks carry by design) are not.
        public void Freeze()
        {
            foreach (var (text, label) in _strings)
            {
                if (text.Length < options.MinRawStringLength || _vocabulary.Any(v => v.Contains(text, StringComparison.Ordinal))) continue;
                var bytes = Encoding.UTF8.GetBytes(text);
                InsertWhole(bytes, label);
            }
        }

        private void InsertWindow(byte[] bytes, int offset, int label)
        {
            var window = bytes.AsSpan(offset, options.WindowBytes);
            Insert(window, new Entry { Label = label, Whole = -1, Length = options.WindowBytes, Check = Fnv(window), Offset = offset });
        }

        private void InsertWhole(byte[] bytes, int label)
        {
            if (bytes.Length < 8) return;
            _wholes.Add(bytes);
            Insert(bytes, new Entry { Label = label, Whole = _wholes.Count - 1, Length = bytes.Length });
        }

        private void Insert(ReadOnlySpan<byte> start, Entry entry)
        {
            if (start.Length < 8) return; // the key is the first 8 bytes
            var key = BinaryPrimitives.ReadUInt64LittleEndian(start);
            entry.Next = _heads.TryGetValue(key, out var head) ? head : -1;
            _heads[key] = _entries.Count;
            _entries.Add(entry);
            var bit = Bit(key);
            _filter[bit >> 6] |= 1UL << (int)(bit & 63);
        }

        private static ulong Bit(ulong key) => (key * 0x9E3779B97F4A7C15UL) >> (64 - FilterBits);

        private static ulong Fnv(ReadOnlySpan<byte> bytes)
        {
            var h = 14695981039346656037UL;
            foreach (var b in bytes) h = (h ^ b) * 1099511628211UL;
            return h;
        }

        private bool Informative(ReadOnlySpan<byte> bytes)
        {
            Span<bool> seen = stackalloc bool[256];
            var distinct = 0;
            foreach (var b in bytes)
                if (!seen[b]) { seen[b] = true; if (++distinct >= options.MinDistinctBytes) return true; }
            return false;
        }

        public IEnumerable<PrivacyFinding> Find(string file, byte[] bytes)
        {
            var found = new List<PrivacyFinding>();
            var reported = new HashSet<int>();
            void Report(int label, string suffix, long? offset)
            {
                if (!reported.Add(label)) return;
                var (model, kind, what) = _labels[label];
                found.Add(new PrivacyFinding(file, kind, model, what + suffix, offset));
            }

            // Values and long strings: an 8-byte key at every offset, a bit filter first, verified in full on a hit.
            var span = bytes.AsSpan();
            for (var i = 0; i + 8 <= span.Length; i++)
            {
                var key = BinaryPrimitives.ReadUInt64LittleEndian(span[i..]);
                var bit = Bit(key);
                if ((_filter[bit >> 6] & (1UL << (int)(bit & 63))) == 0 || !_heads.TryGetValue(key, out var e)) continue;
                for (; e >= 0; e = _entries[e].Next)
                {
                    var entry = _entries[e];
                    if (i + entry.Length > span.Length) continue;
                    if (entry.Whole >= 0)
                    {
                        var whole = _wholes[entry.Whole];
                        if (span.Slice(i, whole.Length).SequenceEqual(whole))
                            Report(entry.Label, _labels[entry.Label].Kind == PrivacyFindingKind.Value ? ": whole tensor" : "", i);
                    }
                    else if (Fnv(span.Slice(i, entry.Length)) == entry.Check)
                    {
                        Report(entry.Label, $": {entry.Length}-byte window from byte {entry.Offset}", i);
                    }
                }
            }

            // Strings: whole strings of the file's structure (long ones were also looked for in the bytes above).
            foreach (var text in StringsOf(file, bytes))
                if (_strings.TryGetValue(text, out var label) && !_vocabulary.Contains(text)) Report(label, "", null);

            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && _integerLists.Count > 0)
            {
                var lists = IntegerListsOf(bytes);
                foreach (var (label, values) in _integerLists)
                    if (lists.Any(l => $",{l},".Contains($",{values},", StringComparison.Ordinal)))
                        Report(label, ": its values in a JSON list", null);
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
