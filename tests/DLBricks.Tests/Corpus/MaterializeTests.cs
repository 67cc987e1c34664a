using System.Security.Cryptography;
using DLBricks.Corpus;
using DLBricks.Corpus.Manifests;
using Google.Protobuf;

namespace DLBricks.Tests.Corpus;

public class MaterializeTests
{
    private static ModelManifest Manifest(string name) => ModelCorpus.Load(CorpusPaths.Manifests).Get(name);

    [Fact]
    public void GeneratesIntoCacheAndReusesTheFile()
    {
        using var cache = new TempFolder();
        var manifest = Manifest("test-if");
        var path = ModelCorpus.Materialize(manifest, cache.Path);
        Assert.Equal(Path.Combine(cache.Path, "test-if.onnx"), path);
        Assert.Equal(ModelCorpus.Generate(manifest).ToByteArray(), File.ReadAllBytes(path));

        var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);
        Assert.Equal(path, ModelCorpus.Materialize(manifest, cache.Path));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        Assert.Equal(["test-if.onnx", "test-if.onnx.sha256"], Directory.GetFiles(cache.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void RegeneratesWhenContentOrRecipeChanged()
    {
        using var cache = new TempFolder();
        var manifest = Manifest("test-loop");
        var path = ModelCorpus.Materialize(manifest, cache.Path);
        var good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..^10]);
        ModelCorpus.Materialize(manifest, cache.Path);
        Assert.Equal(good, File.ReadAllBytes(path));

        var reseeded = manifest with { Source = manifest.Source with { Seed = manifest.Source.Seed + 1 } };
        ModelCorpus.Materialize(reseeded, cache.Path);
        Assert.NotEqual(good, File.ReadAllBytes(path));
        var sidecar = File.ReadAllLines(path + ".sha256");
        Assert.Equal("content " + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), sidecar[1]);
    }

    [Fact]
    public void MissingSharedFileIsAManifestError()
    {
        var manifest = Manifest("zoo-resnet50");
        var moved = manifest with { Source = manifest.Source with { File = "../nowhere/resnet50.onnx" } };
        var e = Assert.Throws<ManifestException>(() => ModelCorpus.Materialize(moved, Path.GetTempPath()));
        Assert.Contains("model file not found", e.Message);
        Assert.StartsWith(manifest.ManifestPath, e.Message);
    }
}
