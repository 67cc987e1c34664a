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

    /// <summary>Unique bricks written or known so far.</summary>
    public int UniqueBrickCount => _entries.Count;

    /// <summary>Bricks ONNX Runtime refused to load, with its reason.</summary>
    public IReadOnlyDictionary<string, string> RefusedBricks => _loadErrors;

    /// <summary>
    /// Writes the brick if it is new and reports whether ONNX Runtime loads it: the split's runnability check (Algorithm 2
    /// falls back to a single layer when this says no). The answer is cached per hash.
    /// </summary>
    public bool WriteAndCheck(CanonicalBrick brick)
    {
        if (_loadable.TryGetValue(brick.Hash, out var known)) return known;
        var path = Write(brick);
        var ok = TryLoad(path, _source.Provider ?? "cpu", out var error);
        _loadable[brick.Hash] = ok;
        if (!ok)
        {
            _loadErrors[brick.Hash] = error!;
            _fallbacks[brick.Hash] = new BrickFallback(brick.Hash, brick.Spec.Layers.Select(l => l.QualifiedOpType).ToList(), error!);
            _entries.Remove(brick.Hash);
            File.Delete(path);
        }
        return ok;
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
            var known = _entries.ContainsKey(piece.Brick.Hash);
            var path = known ? null : Write(piece.Brick);
            if (!verify || _loadable.ContainsKey(piece.Brick.Hash)) continue;
            path ??= Path.Combine(_staging, "bricks", piece.Brick.Hash + ".onnx");
            var ok = TryLoad(path, _source.Provider ?? "cpu", out var error);
            _loadable[piece.Brick.Hash] = ok;
            if (ok) continue;
            var layer = split.Graph.Layers[piece.FirstLayer];
            var what = piece.LayerCount == 1
                ? $"node '{LayerGraphBuilder.Describe(layer.Node)}' ({layer.QualifiedOpType})"
                : $"layers {piece.FirstLayer}..{piece.FirstLayer + piece.LayerCount - 1} from node '{LayerGraphBuilder.Describe(layer.Node)}'";
            throw new InvalidModelException(
                $"{split.Graph.Model.Path}: the brick of {what} does not load in ONNX Runtime: {ShapeProbe.OneLine(error!)} " +
                "(split further is impossible for a single layer; check --shape/--dim/--value, or pass --no-verify to write it anyway).");
        }
        var recipe = split.ToRecipe(_source);
        _recipes.RemoveAll(r => r.Model == recipe.Model);
        _recipes.Add(recipe);
        return recipe;
    }

    /// <summary>Writes one brick (if new) without recording a recipe: for benchmarking a model's missing bricks privately.</summary>
    public void AddBrick(CanonicalBrick brick)
    {
        if (!_entries.ContainsKey(brick.Hash)) Write(brick);
    }

    /// <summary>Writes <c>catalog.json</c> and the recipes, then moves everything into the destination.</summary>
    /// <param name="beforeMove">
    /// Runs on the complete staging folder (new bricks, full catalog, recipes) before anything reaches the destination; an
    /// exception from it leaves the destination untouched (the privacy audit's hook).
    /// </param>
    public BrickCatalog Commit(Action<string>? beforeMove = null)
    {
        var catalog = new BrickCatalog(BrickCatalog.CurrentFormatVersion, _source,
            _entries.Values.OrderBy(e => e.Hash, StringComparer.Ordinal).ToList(),
            _fallbacks.Count == 0 ? null : _fallbacks.Values.OrderBy(f => f.Hash, StringComparer.Ordinal).ToList());
        File.WriteAllText(Path.Combine(_staging, BrickCatalog.FileName), JsonSerializer.Serialize(catalog, CatalogJson.Options));
        foreach (var recipe in _recipes)
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

    private string Write(CanonicalBrick brick)
    {
        var relative = $"bricks/{brick.Hash}.onnx";
        var path = Path.Combine(_staging, relative);
        if (!_existing.Contains(brick.Hash) && !File.Exists(path))
        {
            var temp = path + ".tmp";
            using (var stream = File.Create(temp)) BrickMaterializer.Materialize(brick).WriteTo(stream);
            File.Move(temp, path);
        }
        if (!_entries.ContainsKey(brick.Hash))
        {
            var cost = BrickCost.Of(brick.Spec);
            _entries[brick.Hash] = new BrickEntry(brick.Hash, relative, brick.Spec.Layers.Select(l => l.QualifiedOpType).ToList(),
                brick.Spec.Count, brick.Inputs, brick.Outputs, cost.Flops, cost.Parameters, cost.BytesMoved);
        }
        return path;
    }

    private static bool TryLoad(string path, string provider, out string? error)
    {
        try
        {
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            // Bricks of a CUDA-optimized graph may hold operators only CUDA implements.
            Graph.RuntimeOptimizer.AppendProvider(options, provider, path);
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
