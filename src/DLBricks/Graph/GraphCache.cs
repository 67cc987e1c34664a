using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DLBricks.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Graph;

/// <summary>
/// Keeps what ONNX Runtime computed for a model on disk — the optimized graph and the shape probe's tensor infos — so a
/// model is optimized and probed once, not once per G or per run. An entry is found only by a key that covers everything the
/// result depends on: the bytes of the model and of its external data files, the layer source (kind, level, provider), the
/// resolved inputs (names, types, shapes, values), the cache format, the DLBricks build and the ONNX Runtime version. Change
/// any of them and the lookup misses, so an entry is never stale; old entries are only wasted disk (delete the folder).
/// </summary>
/// <remarks>
/// Entries are written into a temporary folder and renamed into place, so concurrent processes sharing a folder see either
/// no entry or a complete one. Thread-safe.
/// </remarks>
public sealed class GraphCache
{
    /// <summary>Bumped when the layout of an entry changes.</summary>
    private const int FormatVersion = 1;
    private const string ProbeFile = "probe.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        // The probe keeps tiny float tensors, and -inf masks or NaN are legitimate values there.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        IgnoreReadOnlyProperties = true,
    };

    private int _hits;
    private int _misses;

    /// <summary>Uses (and creates on first store) <paramref name="folder"/>.</summary>
    public GraphCache(string folder) => Folder = Path.GetFullPath(folder);

    /// <summary>The cache folder.</summary>
    public string Folder { get; }

    /// <summary>Lookups answered from the cache.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Lookups that had to run ONNX Runtime.</summary>
    public int Misses => Volatile.Read(ref _misses);

    /// <summary>
    /// <c>$DLBRICKS_CACHE</c>, else <c>$XDG_CACHE_HOME/dlbricks</c>, else <c>~/.cache/dlbricks</c>; graphs go in its
    /// <c>graphs</c> subfolder.
    /// </summary>
    public static string DefaultFolder
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("DLBRICKS_CACHE") is { Length: > 0 } own ? own
                : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "dlbricks")
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dlbricks");
            return Path.Combine(root, "graphs");
        }
    }

    /// <summary>The key of a model's entry: SHA-256 (hex) of everything the optimized graph and the probe depend on.</summary>
    internal static string Key(OnnxModel model, LayerSourceOptions source, IReadOnlyList<ShapeProbe.ResolvedInput> inputs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Text($"dlbricks-graph-cache {FormatVersion}");
        Text(ToolVersion);
        // The build's module id changes with any change to the library's code (deterministic builds), so a dev build whose
        // probe or optimizer code changed under the same version never reads an older build's entries.
        Text(typeof(GraphCache).Assembly.ManifestModule.ModuleVersionId.ToString());
        Text(OrtEnv.Instance().GetVersionString());
        Text($"{source.Kind} {source.Level} {source.Provider}");
        // The entry's file is named after the model (an optimized graph with external data keeps that name).
        Text(model.Name);
        AppendFile(hash, model.Path);
        foreach (var file in ExternalData.Files(model.Proto).Order(StringComparer.Ordinal))
        {
            Text(file);
            AppendFile(hash, Path.Combine(model.Directory, file));
        }
        foreach (var input in inputs)
        {
            Text($"{input.Name} {input.ElementType} [{string.Join(',', input.Shape)}]");
            Text(input.Values is null ? "-" : string.Join(',', input.Values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The cached optimized model and probe of <paramref name="key"/>, or false when there is none.</summary>
    /// <param name="key">From <see cref="Key"/>.</param>
    /// <param name="original">The model as read: an optimized graph without external data takes its path, so names and messages stay the user's.</param>
    /// <param name="optimizedSource">True for the optimized layer source: the entry holds the optimized graph too.</param>
    /// <param name="optimized">The optimized model, or <paramref name="original"/> for the raw source.</param>
    /// <param name="probed">The probe's tensor infos.</param>
    /// <param name="times">Where the load time of each part is added.</param>
    internal bool TryLoad(string key, OnnxModel original, bool optimizedSource, SplitPhaseTimes? times,
        out OnnxModel optimized, out IReadOnlyDictionary<string, TensorInfo> probed)
    {
        optimized = original;
        probed = null!;
        var entry = Path.Combine(Folder, key);
        var probeFile = Path.Combine(entry, ProbeFile);
        var modelFile = Path.Combine(entry, original.Name + ".onnx");
        if (!File.Exists(probeFile) || (optimizedSource && !File.Exists(modelFile)))
        {
            Interlocked.Increment(ref _misses);
            return false;
        }
        try
        {
            if (optimizedSource)
            {
                var loaded = Measure(times, SplitPhase.Optimize, () => OnnxModel.Load(modelFile));
                optimized = loaded.HasExternalData ? loaded : OnnxModel.FromProto(loaded.Proto, original.Path);
            }
            probed = Measure(times, SplitPhase.Probe, () => JsonSerializer.Deserialize<Dictionary<string, TensorInfo>>(File.ReadAllBytes(probeFile), Json))
                     ?? throw new InvalidDataException("empty probe file");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or InvalidModelException or UnauthorizedAccessException)
        {
            // A damaged entry (a manual edit, a disk error) costs one recomputation, never a wrong split; the new result replaces it.
            optimized = original;
            TryDelete(entry);
            Interlocked.Increment(ref _misses);
            return false;
        }
        Interlocked.Increment(ref _hits);
        return true;
    }

    /// <summary>Stores an entry; a failure to write (read-only or full disk) is ignored, the cache is only an accelerator.</summary>
    internal void Store(string key, OnnxModel? optimized, IReadOnlyDictionary<string, TensorInfo> probed)
    {
        var entry = Path.Combine(Folder, key);
        if (Directory.Exists(entry)) return;
        var staging = Path.Combine(Folder, $".{key}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            if (optimized is not null)
            {
                using (var stream = File.Create(Path.Combine(staging, optimized.Name + ".onnx"))) optimized.Proto.WriteTo(stream);
                foreach (var file in ExternalData.Files(optimized.Proto))
                    File.Copy(Path.Combine(optimized.Directory, file), Path.Combine(staging, file));
            }
            File.WriteAllBytes(Path.Combine(staging, ProbeFile), JsonSerializer.SerializeToUtf8Bytes(probed, Json));
            Directory.Move(staging, entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(staging);
        }
    }

    private static T Measure<T>(SplitPhaseTimes? times, SplitPhase phase, Func<T> work) => times is null ? work() : times.Measure(phase, work);

    private static void AppendFile(IncrementalHash hash, string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, read);
    }

    private static string ToolVersion { get; } =
        typeof(GraphCache).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static void TryDelete(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
