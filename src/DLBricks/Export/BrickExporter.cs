using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using DLBricks.Graph;
using DLBricks.Splitting;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Export;

/// <summary>
/// Writes the output of a split: <c>bricks/&lt;hash&gt;.onnx</c> and <c>catalog.json</c> (public) and
/// <c>recipes/&lt;model&gt;.json</c> (private). Everything is written into a staging folder beside the destination and moved
/// into place only by <see cref="Commit"/>, so an error or Ctrl+C never leaves a half-written output folder behind.
/// </summary>
/// <remarks>
/// Thread-safe: several models may be split into one exporter at once. The output does not depend on their order — the
/// catalog is sorted by hash, a brick's bytes and its runtime check depend only on the brick, and each hash is checked once.
/// </remarks>
internal sealed class BrickExporter : IDisposable
{
    private readonly string _destination;
    private readonly string _staging;
    private readonly LayerSourceInfo _source;
    private readonly Dictionary<string, BrickEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _loadable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _loadErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BrickFallback> _fallbacks = new(StringComparer.Ordinal);
    private readonly List<ModelRecipe> _recipes = [];
    private readonly HashSet<string> _existing = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _committed;

    /// <summary>Prepares to write into <paramref name="destination"/> (created, or merged into when it already holds a catalog of the same source).</summary>
    /// <exception cref="InvalidModelException">The destination holds a catalog of another layer source or level.</exception>
    public BrickExporter(string destination, LayerSourceInfo source)
    {
        _destination = Path.GetFullPath(destination);
        _source = source;
        var catalogPath = Path.Combine(_destination, BrickCatalog.FileName);
        if (File.Exists(catalogPath))
        {
            var existing = BrickCatalog.Load(catalogPath);
            if (existing.Source != source)
                throw new InvalidModelException(
                    $"{catalogPath}: holds bricks cut from '{existing.Source}', not '{source}'; bricks of different layer sources or levels must not mix. Use another -o folder.");
            foreach (var e in existing.Bricks)
            {
                _entries[e.Hash] = e;
                _existing.Add(e.Hash);
                _loadable[e.Hash] = true;
            }
            foreach (var f in existing.Fallbacks ?? []) _fallbacks[f.Hash] = f;
        }
        else if (Directory.Exists(_destination) && Directory.EnumerateFileSystemEntries(_destination).Any())
        {
            throw new InvalidModelException($"{_destination}: exists and is not a DLBricks split folder (no {BrickCatalog.FileName}); choose an empty or new -o folder.");
        }
        var parent = Path.GetDirectoryName(_destination) ?? ".";
        Directory.CreateDirectory(parent);
        _staging = Path.Combine(parent, $".{Path.GetFileName(_destination)}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_staging, "bricks"));
        Directory.CreateDirectory(Path.Combine(_staging, ModelRecipe.FolderName));
    }

    /// <summary>
    /// Work shared with the exporters of the other G values of one run: a brick is materialized and loaded once, whichever
    /// folder needs it first; the others copy its file and take its answer (a brick's bytes and loadability depend only on
    /// its hash and the layer source).
    /// </summary>
    internal BrickWorkShare Share { get; init; } = new();

    /// <summary>Where the time of writing (<see cref="SplitPhase.Export"/>) and loading (<see cref="SplitPhase.Verify"/>) bricks is added.</summary>
    public SplitPhaseTimes? Times { get; init; }

    /// <summary>Unique bricks written or known so far.</summary>
    public int UniqueBrickCount
    {
        get { lock (_gate) return _entries.Count; }
    }

    /// <summary>Bricks ONNX Runtime refused to load, with its reason.</summary>
    public IReadOnlyDictionary<string, string> RefusedBricks => _loadErrors;

    /// <summary>
    /// Writes the brick if it is new and reports whether ONNX Runtime loads it: the split's runnability check (Algorithm 2
    /// falls back to a single layer when this says no). The answer is cached per hash.
    /// </summary>
    public bool WriteAndCheck(CanonicalBrick brick)
    {
        lock (_gate)
            if (_loadable.TryGetValue(brick.Hash, out var known)) return known;
        var error = CheckOnce(brick.Hash, () => Write(brick));
        lock (_gate)
        {
            if (_loadable.TryGetValue(brick.Hash, out var recorded)) return recorded;
            _loadable[brick.Hash] = error is null;
            if (error is null) return true;
            _loadErrors[brick.Hash] = error;
            _fallbacks[brick.Hash] = new BrickFallback(brick.Hash, brick.Spec.Layers.Select(l => l.QualifiedOpType).ToList(), error);
            _entries.Remove(brick.Hash);
        }
        File.Delete(StagingPath(brick.Hash));
        return false;
    }

    /// <summary>
    /// Records a model's split: writes its bricks and its recipe. With <paramref name="verify"/>, every brick written is
    /// loaded by ONNX Runtime from its final bytes first (multi-layer ones already were, by <see cref="WriteAndCheck"/>).
    /// </summary>
    /// <exception cref="InvalidModelException">
    /// With <paramref name="verify"/>: a single-layer brick does not load. Algorithm 2 has no smaller piece to fall back to,
    /// so the split stops; the message names the model, the node, the runtime's reason and the opt-out.
    /// </exception>
    public ModelRecipe Add(ModelSplit split, bool verify = false)
    {
        foreach (var piece in split.Pieces.Concat(split.Windows))
        {
            bool known, checkedBefore;
            lock (_gate)
            {
                known = _entries.ContainsKey(piece.Brick.Hash);
                checkedBefore = _loadable.ContainsKey(piece.Brick.Hash);
            }
            var path = known ? null : Write(piece.Brick);
            if (!verify || checkedBefore) continue;
            var error = CheckOnce(piece.Brick.Hash, () => path ?? StagingPath(piece.Brick.Hash));
            lock (_gate) _loadable.TryAdd(piece.Brick.Hash, error is null);
            if (error is null) continue;
            var layer = split.Graph.Layers[piece.FirstLayer];
            var what = piece.LayerCount == 1
                ? $"node '{LayerGraphBuilder.Describe(layer.Node)}' ({layer.QualifiedOpType})"
                : $"layers {piece.FirstLayer}..{piece.FirstLayer + piece.LayerCount - 1} from node '{LayerGraphBuilder.Describe(layer.Node)}'";
            throw new InvalidModelException(
                $"{split.Graph.Model.Path}: the brick of {what} does not load in ONNX Runtime: {ShapeProbe.OneLine(error)} " +
                "(split further is impossible for a single layer; check --shape/--dim/--value, or pass --no-verify to write it anyway).");
        }
        var recipe = split.ToRecipe(_source);
        lock (_gate)
        {
            _recipes.RemoveAll(r => r.Model == recipe.Model);
            _recipes.Add(recipe);
        }
        return recipe;
    }

    /// <summary>Writes one brick (if new) without recording a recipe: for benchmarking a model's missing bricks privately.</summary>
    public void AddBrick(CanonicalBrick brick)
    {
        bool known;
        lock (_gate) known = _entries.ContainsKey(brick.Hash);
        if (!known) Write(brick);
    }

    /// <summary>Writes <c>catalog.json</c> and the recipes, then moves everything into the destination.</summary>
    /// <param name="beforeMove">
    /// Runs on the complete staging folder (new bricks, full catalog, recipes) before anything reaches the destination; an
    /// exception from it leaves the destination untouched (the privacy audit's hook).
    /// </param>
    public BrickCatalog Commit(Action<string>? beforeMove = null)
    {
        BrickCatalog catalog;
        List<ModelRecipe> recipes;
        lock (_gate)
        {
            catalog = new BrickCatalog(BrickCatalog.CurrentFormatVersion, _source,
                _entries.Values.OrderBy(e => e.Hash, StringComparer.Ordinal).ToList(),
                _fallbacks.Count == 0 ? null : _fallbacks.Values.OrderBy(f => f.Hash, StringComparer.Ordinal).ToList());
            recipes = [.. _recipes];
        }
        File.WriteAllText(Path.Combine(_staging, BrickCatalog.FileName), JsonSerializer.Serialize(catalog, CatalogJson.Options));
        foreach (var recipe in recipes)
            File.WriteAllText(Path.Combine(_staging, ModelRecipe.FolderName, SafeFileName(recipe.Model) + ".json"),
                JsonSerializer.Serialize(recipe, CatalogJson.Options));
        beforeMove?.Invoke(_staging);

        if (!Directory.Exists(_destination))
        {
            Directory.Move(_staging, _destination);
        }
        else
        {
            // Merge: bricks and recipes first, the catalog last, each by an atomic rename; an interruption before the
            // catalog rename leaves the old catalog valid (extra brick files are harmless).
            foreach (var sub in new[] { "bricks", ModelRecipe.FolderName })
            {
                Directory.CreateDirectory(Path.Combine(_destination, sub));
                foreach (var file in Directory.EnumerateFiles(Path.Combine(_staging, sub)))
                    File.Move(file, Path.Combine(_destination, sub, Path.GetFileName(file)), overwrite: true);
            }
            File.Move(Path.Combine(_staging, BrickCatalog.FileName), Path.Combine(_destination, BrickCatalog.FileName), overwrite: true);
            Directory.Delete(_staging, recursive: true);
        }
        _committed = true;
        return catalog;
    }

    /// <summary>Removes the staging folder when <see cref="Commit"/> did not run.</summary>
    public void Dispose()
    {
        if (!_committed && Directory.Exists(_staging))
        {
            try { Directory.Delete(_staging, recursive: true); } catch (IOException) { }
        }
    }

    private string StagingPath(string hash) => Path.Combine(_staging, "bricks", hash + ".onnx");

    private string Write(CanonicalBrick brick)
    {
        var start = Stopwatch.GetTimestamp();
        var relative = $"bricks/{brick.Hash}.onnx";
        var path = StagingPath(brick.Hash);
        bool existing;
        lock (_gate) existing = _existing.Contains(brick.Hash);
        if (!existing && !File.Exists(path))
        {
            // A temporary name of its own: two workers may write the same brick at once, with the same bytes.
            var temp = $"{path}.{Environment.CurrentManagedThreadId}.tmp";
            if (!Share.TryCopy(brick.Hash, temp))
            {
                using var stream = File.Create(temp);
                BrickMaterializer.Materialize(brick).WriteTo(stream);
            }
            File.Move(temp, path, overwrite: true);
            Share.Written.TryAdd(brick.Hash, path);
        }
        bool listed;
        lock (_gate) listed = _entries.ContainsKey(brick.Hash);
        if (!listed)
        {
            var cost = BrickCost.Of(brick.Spec);
            var entry = new BrickEntry(brick.Hash, relative, brick.Spec.Layers.Select(l => l.QualifiedOpType).ToList(),
                brick.Spec.Count, brick.Inputs, brick.Outputs, cost.Flops, cost.Parameters, cost.BytesMoved);
            lock (_gate) _entries.TryAdd(brick.Hash, entry);
        }
        Times?.Add(SplitPhase.Export, Stopwatch.GetElapsedTime(start));
        return path;
    }

    /// <summary>Loads the brick at the path <paramref name="write"/> returns, once per hash; the refusal, or null when it loads.</summary>
    private string? CheckOnce(string hash, Func<string> write) =>
        Share.Checks.GetOrAdd(hash, _ => new Lazy<string?>(() =>
        {
            var path = write();
            var start = Stopwatch.GetTimestamp();
            var ok = TryLoad(path, _source, out var error);
            Times?.Add(SplitPhase.Verify, Stopwatch.GetElapsedTime(start));
            return ok ? null : error!;
        }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private static bool TryLoad(string path, LayerSourceInfo source, out string? error)
    {
        try
        {
            // Cheap options: one thread and no per-session thread pool to start; bricks of an optimized source are loaded
            // without re-optimizing, as bench loads them (RunConfiguration.ForBricks), so the check matches the measurement.
            using var options = new SessionOptions
            {
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
            };
            if (source.Kind == RunConfiguration.OptimizedSourceKind) options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
            // Loading is the question, not running: packing weights for the kernels costs as much as the load of a large brick.
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
            // Bricks of a CUDA-optimized graph may hold operators only CUDA implements.
            Graph.RuntimeOptimizer.AppendProvider(options, source.Provider ?? "cpu", path);
            using var session = new InferenceSession(path, options);
            error = null;
            return true;
        }
        catch (OnnxRuntimeException e)
        {
            error = e.Message.ReplaceLineEndings(" ");
            return false;
        }
    }

    private static string SafeFileName(string name) =>
        string.Concat(name.Select(c => Path.GetInvalidFileNameChars().Contains(c) || c == '/' ? '_' : c));
}

/// <summary>Bricks already written and checked by one of several exporters of the same layer source (one per G of a run).</summary>
internal sealed class BrickWorkShare
{
    /// <summary>Where a brick's file was first written (a staging folder).</summary>
    public ConcurrentDictionary<string, string> Written { get; } = new(StringComparer.Ordinal);

    /// <summary>One runtime check per hash, even when two models reach the same brick at once: the refusal, null when it loads.</summary>
    public ConcurrentDictionary<string, Lazy<string?>> Checks { get; } = new(StringComparer.Ordinal);

    /// <summary>Copies the brick's file written before to <paramref name="destination"/>; false when there is none (write it).</summary>
    public bool TryCopy(string hash, string destination)
    {
        if (!Written.TryGetValue(hash, out var source)) return false;
        try
        {
            File.Copy(source, destination, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Deleted since (a refused multi-layer brick): materialize it again.
            return false;
        }
    }
}
