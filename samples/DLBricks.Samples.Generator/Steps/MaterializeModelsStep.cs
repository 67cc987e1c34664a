using DLBricks.Corpus;
using DLBricks.Corpus.Manifests;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// Makes every selected manifest a model file: generated models are built into the cache (reused while intact); file models
/// (the shared light zoo models) are read in place. A file model whose folder is absent is skipped with one note, not failed:
/// a fresh clone without <c>../shared</c> still runs the generated models.
/// </summary>
internal sealed class MaterializeModelsStep : ISampleStep
{
    /// <inheritdoc />
    public string Name => "materialize";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        var absentFolders = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var manifest in run.Manifests)
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            if (manifest.Source.File is { } relative)
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifest.ManifestPath))!, relative));
                var folder = Path.GetDirectoryName(path)!;
                if (!Directory.Exists(folder))
                {
                    if (!absentFolders.TryGetValue(folder, out var names)) absentFolders[folder] = names = [];
                    names.Add(manifest.Name);
                    continue;
                }
            }
            try
            {
                run.Progress.Report($"{manifest.Name}: {(manifest.Source.Generated is { } g ? $"materializing {g}" : "reading in place")}");
                var path = ModelCorpus.Materialize(manifest, run.CacheDirectory);
                run.Models.Add(new SampleModel(manifest.Name, manifest, NamedAfterManifest(manifest, path, run.CacheDirectory), ManifestBindings.For(manifest)));
            }
            catch (Exception e) when (e is ManifestException or InvalidModelException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                run.Failures.Add(e is ManifestException ? e.Message : $"{manifest.ManifestPath}: {e.Message}");
                run.Progress.Report("FAILED " + run.Failures[^1]);
            }
        }
        foreach (var (folder, names) in absentFolders)
        {
            run.Notes.Add($"skipped {names.Count} shared models ({string.Join(", ", names)}): {folder} not found");
            run.Progress.Report("note: " + run.Notes[^1]);
        }
    }

    /// <summary>
    /// The splitter and the report key models by file stem. A file model whose stem differs from its manifest name
    /// (zoo-resnet50 is resnet50.onnx, like the generated resnet50) gets a link named after the manifest in the cache,
    /// so names never collide and every table shows the manifest name. The link is to the file in place, not a copy.
    /// </summary>
    private static string NamedAfterManifest(ModelManifest manifest, string path, string cacheDirectory)
    {
        if (Path.GetFileNameWithoutExtension(path) == manifest.Name) return path;
        Directory.CreateDirectory(cacheDirectory);
        var link = Path.Combine(cacheDirectory, manifest.Name + ".onnx");
        var existing = new FileInfo(link);
        if (existing.Exists || existing.LinkTarget is not null)
        {
            if (existing.LinkTarget is { } target && Path.GetFullPath(target, cacheDirectory) == path) return link;
            File.Delete(link);
        }
        try
        {
            File.CreateSymbolicLink(link, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without symlink rights (e.g. Windows without developer mode) a copy of these small files does the same job.
            File.Copy(path, link, overwrite: true);
        }
        return link;
    }
}
