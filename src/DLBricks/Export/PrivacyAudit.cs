using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Json;
using DLBricks.Graph;
using DLBricks.Shared;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;

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
    /// <param name="splitDirectory">The split folder.</param>
    /// <param name="modelPaths">The models it was split from.</param>
    /// <param name="options">Search limits (defaults: those of <c>split</c>).</param>
    /// <param name="jobs">Models read and files scanned at once; the report does not depend on it.</param>
    public static PrivacyAuditReport Run(string splitDirectory, IReadOnlyList<string> modelPaths, PrivacyAuditOptions? options = null, int jobs = 1) =>
        new PrivacyAuditor(modelPaths, options, jobs).Audit(splitDirectory);

    /// <summary>
    /// Audits several split folders of the same models (one per G) with one index of the models, and scans each brick file
    /// once: a brick's file name is its content hash, so its findings hold in every folder that has it.
    /// </summary>
    internal sealed class PrivacyAuditor(IReadOnlyList<string> modelPaths, PrivacyAuditOptions? options = null, int jobs = 1)
    {
        private readonly PrivacyAuditOptions _options = options ?? new PrivacyAuditOptions();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PrivacyFinding[]> _brickFindings = new(StringComparer.Ordinal);
        private Secrets? _index;

        /// <summary>An auditor over models already indexed as they were read (by a split), so they are not read again.</summary>
        public PrivacyAuditor(PrivacyIndex index, int jobs = 1) : this([], index.Options, jobs) => _index = index.Build();

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
                var index = new PrivacyIndex(modelPaths.Count, _options);
                // Read and index `jobs` models at once (parsing is most of the index's time); the index does not depend on the order.
                InParallel(modelPaths.Count, i => index.Add(i, OnnxModel.Load(modelPaths[i])));
                _index = index.Build();
            }
            var perFile = new PrivacyFinding[files.Count][];
            InParallel(files.Count, i =>
            {
                var file = files[i];
                var isBrick = file.StartsWith("bricks/", StringComparison.Ordinal) && file.EndsWith(".onnx", StringComparison.Ordinal);
                perFile[i] = isBrick
                    ? _brickFindings.GetOrAdd(file, f => Scan(root, f))
                    : Scan(root, file);
            });
            var findings = perFile.SelectMany(f => f).ToList();
            findings.Sort((a, b) => string.CompareOrdinal(a.File, b.File) is var c and not 0 ? c : Nullable.Compare(a.Offset, b.Offset));
            return new PrivacyAuditReport(root, files, findings, _index.Stride);
        }

        /// <summary>Runs <paramref name="body"/> for 0..count-1 on up to <c>jobs</c> threads; a failure surfaces as its own exception
        /// (it names the file), as a serial loop would throw it, not wrapped in an <see cref="AggregateException"/>.</summary>
        private void InParallel(int count, Action<int> body)
        {
            try
            {
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, body);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }

        // Read buffers reused across files: a fresh array per file made the kernel zero gigabytes of new pages.
        private readonly System.Collections.Concurrent.ConcurrentBag<byte[]> _buffers = [];

        /// <exception cref="InvalidModelException">The file cannot be read, or is too large to be a split's file.</exception>
        private PrivacyFinding[] Scan(string root, string file)
        {
            var path = Path.Combine(root, file);
            // Nothing to read in an empty file, and a FIFO or device (length 0 too) would block the open or never end.
            if (new FileInfo(path).Length == 0) return [];
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, System.IO.FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidModelException($"{path}: cannot read it for the privacy audit ({e.Message.TrimEnd('.')}).", e);
            }
            using var _ = stream;
            if (stream.Length > Array.MaxLength)
                throw new InvalidModelException($"{path}: {stream.Length:N0} bytes, more than any file a split writes (ONNX files stop at 2 GB); move it out of the split folder, since everything there but recipes/ is public.");
            var length = (int)stream.Length;
            if (!_buffers.TryTake(out var buffer) || buffer.Length < length) buffer = GC.AllocateUninitializedArray<byte>(length);
            try
            {
                stream.ReadExactly(buffer, 0, length);
                return _index!.Find(file, buffer.AsMemory(0, length)).ToArray();
            }
            finally
            {
                _buffers.Add(buffer);
            }
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

    /// <summary>
    /// The audit's index of a list of models, filled as the models are read, from several threads and in any order: each
    /// model is indexed on its own thread, then merged in the order of the list, so the index is the same as one built by
    /// reading the models one after another. A split fills it from the models it has just read instead of reading them twice.
    /// </summary>
    internal sealed class PrivacyIndex(int modelCount, PrivacyAuditOptions? options = null)
    {
        private readonly Secrets _merged = new(options ?? new PrivacyAuditOptions(), modelCount);
        private readonly Secrets?[] _pending = new Secrets?[modelCount];
        private readonly bool[] _done = new bool[modelCount];
        private int _next;
        private Secrets? _built;

        public PrivacyAuditOptions Options => _merged.Options;

        /// <summary>Indexes the model at <paramref name="position"/> of the list; thread-safe.</summary>
        public void Add(int position, OnnxModel model)
        {
            var secrets = new Secrets(_merged.Options, modelCount) { Chains = false };
            secrets.Add(model);
            Complete(position, secrets);
        }

        /// <summary>The model at <paramref name="position"/> could not be read: nothing of it is looked for.</summary>
        public void Skip(int position) => Complete(position, null);

        private void Complete(int position, Secrets? secrets)
        {
            lock (_merged)
            {
                if (_built is not null) throw new InvalidOperationException("the privacy index is already built.");
                if (_done[position]) throw new InvalidOperationException($"model {position} was already indexed.");
                _done[position] = true;
                _pending[position] = secrets;
                // Merge what is ready in list order, so memory holds only the models that finished out of order.
                for (; _next < modelCount && _done[_next]; _next++)
                {
                    if (_pending[_next] is { } ready) _merged.Merge(ready);
                    _pending[_next] = null;
                }
            }
        }

        /// <summary>The finished index; models neither added nor skipped are left out.</summary>
        internal Secrets Build()
        {
            lock (_merged)
            {
                if (_built is not null) return _built;
                for (var i = _next; i < modelCount; i++)
                    if (_pending[i] is { } ready) _merged.Merge(ready);
                Array.Clear(_pending);
                _merged.Freeze();
                return _built = _merged;
            }
        }
    }

    /// <summary>One thing to look for at a byte offset: a whole tensor, a window of a large one, or a long string.</summary>
    /// <remarks>Kept free of references (32 bytes) because a large audit holds millions of them.</remarks>
    private struct Entry
    {
        public int Label;      // index into the labels: model, kind, what
        public int Whole;      // whole tensors and strings: index of their bytes, compared in full; windows: -1
        public int Length;     // windows: length, and a hash of the whole window instead of its bytes
        public ulong Check;
        public int Offset;     // windows: where the window starts in the original tensor
        public int KeyOffset;  // where the 8-byte key starts inside the searched bytes
        public int Next;       // next entry with the same 8-byte key, or -1
    }

    /// <summary>What the models must not reveal, indexed by 8-byte key for a single pass over each public file.</summary>
    /// <remarks>
    /// The scan visits every byte offset of gigabytes of public files, so what it does per offset decides the audit's speed.
    /// Keys are anchored: an 8-byte string is an anchor when a hash of it falls in 1/16 of its range (<see cref="AnchorBits"/>),
    /// and each searched byte string is keyed by its first anchor. Being an anchor depends only on the 8 bytes, so a copy of
    /// the string in a file has its anchor at the same place and nothing is missed, while the large filter of anchored keys
    /// is read at one offset in 16 only, and in batches whose cache misses overlap. The few strings without an anchor (short
    /// tensors and names, about 2 % of the windows) are keyed by their first 8 bytes in a small filter that stays in cache,
    /// read at the other offsets. One bit per key in a fixed 8 MB filter, read at every offset, made the scan wait on memory
    /// (figures in docs/performance.md, "The privacy audit's scan").
    /// </remarks>
    internal sealed class Secrets(PrivacyAuditOptions options, int modelCount)
    {
        private const int AnchorBits = 4; // one 8-byte string in 2^4 = 16 is an anchor
        private readonly Dictionary<string, int> _strings = new(StringComparer.Ordinal);
        private readonly HashSet<string> _vocabulary = new(StringComparer.Ordinal);
        private readonly List<(string Model, PrivacyFindingKind Kind, string What)> _labels = [];
        private readonly Dictionary<ulong, int> _heads = [];
        private readonly List<Entry> _entries = [];
        private readonly List<ulong> _keys = [];  // without chains: the 8-byte key of each entry, for the index it is merged into
        private readonly List<byte[]> _wholes = [];
        private readonly List<(int Label, string Values)> _integerLists = [];
        private readonly KeyFilter _anchored = new();
        private readonly KeyFilter _unanchored = new();
        private string _model = "";

        public int Stride { get; private set; } = 1;

        public PrivacyAuditOptions Options => options;

        /// <summary>
        /// False for one model's entries on their way into the list's index (<see cref="PrivacyIndex"/>): they are kept with their
        /// keys and chained by key only once, when merged, since only the merged index is searched.
        /// </summary>
        public bool Chains { get; init; } = true;

        /// <summary>Appends another index's models after this one's, as if they had been added here after those already added.</summary>
        public void Merge(Secrets other)
        {
            if (other.Chains || !Chains) throw new InvalidOperationException("only one model's unchained entries merge into a chained index.");
            var labelBase = _labels.Count;
            var wholeBase = _wholes.Count;
            _labels.AddRange(other._labels);
            foreach (var (text, label) in other._strings) _strings.TryAdd(text, labelBase + label);
            _vocabulary.UnionWith(other._vocabulary);
            foreach (var (label, values) in other._integerLists) _integerLists.Add((labelBase + label, values));
            _wholes.AddRange(other._wholes);
            for (var i = 0; i < other._entries.Count; i++)
            {
                var entry = other._entries[i];
                entry.Label += labelBase;
                if (entry.Whole >= 0) entry.Whole += wholeBase;
                Link(other._keys[i], entry);
            }
            Stride = Math.Max(Stride, other.Stride);
        }

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
            var tensors = new List<(int Label, ReadOnlyMemory<byte> Bytes)>();
            foreach (var (what, tensor) in values)
            {
                ReadOnlyMemory<byte> bytes;
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
                    if (Informative(bytes.Span)) InsertWhole(bytes.ToArray(), label);
                    continue;
                }
                var indexed = false;
                for (var o = 0; o + options.WindowBytes <= bytes.Length; o += stride)
                {
                    if (!Informative(bytes.Span.Slice(o, options.WindowBytes))) continue;
                    InsertWindow(bytes.Span, o, label);
                    indexed = true;
                }
                // A wide stride may land only on uninformative windows (leading zeros); the tensor still gets its first informative one.
                for (var o = 1; !indexed && o + options.WindowBytes <= bytes.Length; o++)
                {
                    if (!Informative(bytes.Span.Slice(o, options.WindowBytes))) continue;
                    InsertWindow(bytes.Span, o, label);
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
            BuildFilters();
        }

        private void InsertWindow(ReadOnlySpan<byte> bytes, int offset, int label)
        {
            var window = bytes.Slice(offset, options.WindowBytes);
            Insert(window, new Entry { Label = label, Whole = -1, Length = options.WindowBytes, Check = Fnv(window), Offset = offset });
        }

        private void InsertWhole(byte[] bytes, int label)
        {
            if (bytes.Length < 8) return;
            _wholes.Add(bytes);
            Insert(bytes, new Entry { Label = label, Whole = _wholes.Count - 1, Length = bytes.Length });
        }

        private void Insert(ReadOnlySpan<byte> bytes, Entry entry)
        {
            if (bytes.Length < 8) return; // a key is 8 bytes
            var keyOffset = 0;
            for (var j = 0; j + 8 <= bytes.Length; j++)
                if (IsAnchor(BinaryPrimitives.ReadUInt64LittleEndian(bytes[j..]))) { keyOffset = j; break; }
            entry.KeyOffset = keyOffset;
            Link(BinaryPrimitives.ReadUInt64LittleEndian(bytes[keyOffset..]), entry);
        }

        private void Link(ulong key, Entry entry)
        {
            if (Chains)
            {
                entry.Next = _heads.TryGetValue(key, out var head) ? head : -1;
                _heads[key] = _entries.Count;
            }
            else
            {
                _keys.Add(key);
            }
            _entries.Add(entry);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static bool IsAnchor(ulong key) => (key * 0xD6E8FEB86659FD93UL) >> (64 - AnchorBits) == 0;

        private void BuildFilters()
        {
            var anchored = _heads.Keys.Where(IsAnchor).ToList();
            _anchored.Build(anchored, bitsPerKey: 16);
            _unanchored.Build(_heads.Keys.Where(k => !IsAnchor(k)).ToList(), bitsPerKey: 32);
        }

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

        public IEnumerable<PrivacyFinding> Find(string file, ReadOnlyMemory<byte> bytes)
        {
            var found = new List<PrivacyFinding>();
            var reported = new HashSet<int>();
            void Report(int label, string suffix, long? offset)
            {
                if (!reported.Add(label)) return;
                var (model, kind, what) = _labels[label];
                found.Add(new PrivacyFinding(file, kind, model, what + suffix, offset));
            }

            // Values and long strings: the 8-byte key at every offset, its filter first, verified in full on a hit. The
            // offsets are visited out of order (below), so each label keeps its first offset.
            var byOffset = new Dictionary<int, (string Suffix, int Offset)>();
            var span = bytes.Span;
            Span<int> anchors = stackalloc int[ScanBlock];
            for (var block = 0; block + 8 <= span.Length; block += ScanBlock)
            {
                var last = Math.Min(span.Length - 8, block + ScanBlock - 1);
                var count = 0;
                for (var i = block; i <= last; i++)
                {
                    var key = BinaryPrimitives.ReadUInt64LittleEndian(span[i..]);
                    if (IsAnchor(key)) anchors[count++] = i;
                    else if (_unanchored.MayContain(key)) Verify(span, i, key, byOffset);
                }
                // The large filter's reads, gathered: independent of each other, so the processor overlaps their cache misses
                // instead of waiting for one at a time among the cheap offsets.
                for (var a = 0; a < count; a++)
                {
                    var key = BinaryPrimitives.ReadUInt64LittleEndian(span[anchors[a]..]);
                    if (_anchored.MayContain(key)) Verify(span, anchors[a], key, byOffset);
                }
            }
            foreach (var (label, (suffix, offset)) in byOffset.OrderBy(f => f.Value.Offset)) Report(label, suffix, offset);

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

        private const int ScanBlock = 4096;

        private void Verify(ReadOnlySpan<byte> span, int i, ulong key, Dictionary<int, (string Suffix, int Offset)> found)
        {
            if (!_heads.TryGetValue(key, out var e)) return;
            for (; e >= 0; e = _entries[e].Next)
            {
                var entry = _entries[e];
                var start = i - entry.KeyOffset;
                if (start < 0 || start + entry.Length > span.Length || (found.TryGetValue(entry.Label, out var known) && known.Offset <= start)) continue;
                if (entry.Whole >= 0)
                {
                    if (span.Slice(start, entry.Length).SequenceEqual(_wholes[entry.Whole]))
                        found[entry.Label] = (_labels[entry.Label].Kind == PrivacyFindingKind.Value ? ": whole tensor" : "", start);
                }
                else if (Fnv(span.Slice(start, entry.Length)) == entry.Check)
                {
                    found[entry.Label] = ($": {entry.Length}-byte window from byte {entry.Offset}", start);
                }
            }
        }

        private static IEnumerable<string> StringsOf(string file, ReadOnlyMemory<byte> bytes)
        {
            if (file.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                // From the wire bytes: a parse would copy every tensor's data, and only the text is wanted here.
                var result = new List<string>();
                return ProtoTextFields.TryCollect(bytes.Span, ModelProto.Descriptor, result) ? result : [];
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

        private static List<string> IntegerListsOf(ReadOnlyMemory<byte> bytes)
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
        /// <remarks>Raw data is read in place, not copied: the index reads every byte of the models once.</remarks>
        private static ReadOnlyMemory<byte> StoredBytes(TensorProto tensor, OnnxModel model)
        {
            if (ExternalData.IsExternal(tensor)) return ExternalData.ReadBytes(model, tensor);
            if (!tensor.RawData.IsEmpty) return tensor.RawData.Memory;
            var type = (TensorProto.Types.DataType)tensor.DataType;
            var dims = tensor.Dims.ToArray();
            if (type == TensorProto.Types.DataType.Double)
            {
                var bytes = new byte[tensor.DoubleData.Count * 8];
                for (var i = 0; i < tensor.DoubleData.Count; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), tensor.DoubleData[i]);
                return bytes;
            }
            if (ElementTypes.IsFloat(tensor.DataType))
                return TensorValues.FromFloats("", tensor.DataType, dims, TensorValues.ReadFloats(tensor)).RawData.Memory;
            if (ElementTypes.IsInteger(tensor.DataType) || type == TensorProto.Types.DataType.Bool)
                return TensorValues.FromIntegers("", tensor.DataType, dims, TensorValues.ReadIntegers(tensor)).RawData.Memory;
            return ReadOnlyMemory<byte>.Empty;
        }
    }

    /// <summary>
    /// A Bloom filter of 8-byte keys with all four of a key's bits in one 64-bit word, so a lookup is one memory access; at
    /// 16 bits per key it passes about 1 % of absent keys, at 32 bits about 0.1 %.
    /// </summary>
    private sealed class KeyFilter
    {
        private ulong[] _words = new ulong[2];
        private int _shift = 63;

        public void Build(IReadOnlyCollection<ulong> keys, int bitsPerKey)
        {
            var bits = Math.Clamp((long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, keys.Count) * (ulong)bitsPerKey), 1L << 7, 1L << 31);
            _words = new ulong[bits >> 6];
            _shift = 64 - BitOperations.Log2((ulong)_words.Length);
            foreach (var key in keys) _words[Word(key)] |= Mask(key);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool MayContain(ulong key)
        {
            var mask = Mask(key);
            return (_words[Word(key)] & mask) == mask;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private int Word(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ulong Mask(ulong key)
        {
            var h = key * 0xC2B2AE3D27D4EB4FUL;
            h ^= h >> 31;
            return (1UL << (int)(h & 63)) | (1UL << (int)((h >> 6) & 63)) | (1UL << (int)((h >> 12) & 63)) | (1UL << (int)((h >> 18) & 63));
        }
    }
}
