using System.Security.Cryptography;
using System.Text;
using DLBricks.Corpus.Building;
using DLBricks.Corpus.Families;
using DLBricks.Corpus.Manifests;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Corpus;

/// <summary>
/// The model corpus: every manifest of a folder, plus on-demand generation of the models they describe. Generated
/// models are written to a cache folder and reused while their recipe and content hash still match.
/// </summary>
public sealed class ModelCorpus
{
    private ModelCorpus(string folder, IReadOnlyList<ModelManifest> manifests)
    {
        Folder = folder;
        Manifests = manifests;
    }

    /// <summary>Folder the manifests were loaded from.</summary>
    public string Folder { get; }

    /// <summary>All manifests, ordered by name.</summary>
    public IReadOnlyList<ModelManifest> Manifests { get; }

    /// <summary>The fast default subset (<c>default: true</c>).</summary>
    public IReadOnlyList<ModelManifest> DefaultSubset => Manifests.Where(m => m.IsDefault).ToList();

    /// <summary>Loads every *.yaml / *.yml manifest in <paramref name="folder"/>; the first bad one throws <see cref="ManifestException"/>.</summary>
    public static ModelCorpus Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: manifest folder not found");
        var files = Directory.EnumerateFiles(folder, "*.yaml").Concat(Directory.EnumerateFiles(folder, "*.yml"))
            .Order(StringComparer.Ordinal).ToList();
        var manifests = new List<ModelManifest>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var manifest = ManifestParser.ParseFile(file);
            if (seen.TryGetValue(manifest.Name, out var other))
                throw new ManifestException(file, $"name '{manifest.Name}' is already used by {other}");
            seen[manifest.Name] = file;
            manifests.Add(manifest);
        }
        return new ModelCorpus(folder, manifests.OrderBy(m => m.Name, StringComparer.Ordinal).ToList());
    }

    /// <summary>The manifest called <paramref name="name"/>.</summary>
    public ModelManifest Get(string name) =>
        Manifests.FirstOrDefault(m => m.Name == name) ?? throw new KeyNotFoundException($"no manifest named '{name}' in {Folder}");

    /// <summary>Builds the model of a generated manifest in memory.</summary>
    public static ModelProto Generate(ModelManifest manifest, bool structureOnly = false)
    {
        var source = manifest.Source;
        if (source.Generated is null) throw new ManifestException(manifest.ManifestPath, "not a generated model");
        var family = ModelFamilies.Find(source.GeneratedFamily!)
            ?? throw new ManifestException(manifest.ManifestPath, $"unknown family '{source.GeneratedFamily}'");
        try
        {
            return family.Build(source.GeneratedVariant!, new FamilyOptions(source.Config), new BuildSettings(source.Seed, structureOnly));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ManifestException(manifest.ManifestPath, e.Message, e);
        }
    }

    /// <summary>
    /// Path of the manifest's .onnx file. File sources resolve in place (relative to the manifest). Generated models
    /// are written to <paramref name="cacheDir"/> as &lt;name&gt;.onnx unless a file with the same recipe and intact
    /// content hash is already there; a sidecar &lt;name&gt;.onnx.sha256 records both hashes.
    /// </summary>
    public static string Materialize(ModelManifest manifest, string cacheDir)
    {
        if (manifest.Source.File is { } relative)
        {
            string path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifest.ManifestPath))!, relative));
            return File.Exists(path) ? path : throw new ManifestException(manifest.ManifestPath, $"model file not found: {path}");
        }

        Directory.CreateDirectory(cacheDir);
        string target = Path.Combine(cacheDir, manifest.Name + ".onnx");
        string sidecar = target + ".sha256";
        string recipe = RecipeHash(manifest);
        if (IsCached(target, sidecar, recipe)) return target;

        var model = Generate(manifest);
        ManifestChecks.Verify(manifest, model);
        byte[] bytes = model.ToByteArray();
        string content = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // Write beside the target and move, so a crash never leaves a truncated model under the final name.
        string temp = Path.Combine(cacheDir, $".{manifest.Name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, target, overwrite: true);
        File.WriteAllText(sidecar, $"recipe {recipe}\ncontent {content}\n");
        return target;
    }

    /// <summary>Hash of everything that determines a generated model's bytes (source, seed, config, generator version).</summary>
    public static string RecipeHash(ModelManifest manifest)
    {
        var s = manifest.Source;
        var text = new StringBuilder()
            .Append("generator ").Append(OnnxGraphBuilder.ProducerName).Append(' ').Append(OnnxGraphBuilder.ProducerVersion).Append('\n')
            .Append("generated ").Append(s.Generated).Append('\n')
            .Append("seed ").Append(s.Seed).Append('\n');
        foreach (var (k, v) in s.Config.OrderBy(kv => kv.Key, StringComparer.Ordinal)) text.Append("config ").Append(k).Append('=').Append(v).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static bool IsCached(string target, string sidecar, string recipe)
    {
        if (!File.Exists(target) || !File.Exists(sidecar)) return false;
        var lines = File.ReadAllLines(sidecar);
        if (lines.Length < 2 || lines[0] != "recipe " + recipe || !lines[1].StartsWith("content ", StringComparison.Ordinal)) return false;
        using var stream = File.OpenRead(target);
        return Convert.ToHexStringLower(SHA256.HashData(stream)) == lines[1]["content ".Length..];
    }
}
