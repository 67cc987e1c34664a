using DLBricks.Corpus;
using DLBricks.Corpus.Manifests;
using DLBricks.Onnx.Protos;

namespace DLBricks.Tests.Corpus;

public class ShippedManifestTests
{
    private static readonly ModelCorpus Corpus = ModelCorpus.Load(CorpusPaths.Manifests);

    [Fact]
    public void AllShippedManifestsParse()
    {
        var files = Directory.GetFiles(CorpusPaths.Manifests, "*.yaml");
        Assert.Equal(files.Length, Corpus.Manifests.Count);
        Assert.True(Corpus.Manifests.Count(m => m.Source.Generated is not null) >= 50);
        Assert.Equal(9, Corpus.Manifests.Count(m => m.Source.File is not null));
    }

    [Fact]
    public void GeneratedManifestsDeclareExactlyTheModelInputs()
    {
        foreach (var manifest in Corpus.Manifests.Where(m => m.Source.Generated is not null))
            ManifestChecks.Verify(manifest, ModelCorpus.Generate(manifest, structureOnly: true));
    }

    [Fact]
    public void SharedModelManifestsResolveToTheSharedFolderAndMatchTheirInputs()
    {
        foreach (var manifest in Corpus.Manifests.Where(m => m.Source.File is not null))
        {
            using var temp = new TempFolder();
            var path = ModelCorpus.Materialize(manifest, temp.Path);
            Assert.Equal(CorpusPaths.SharedLightModels, Path.GetDirectoryName(path));
            Assert.Empty(Directory.GetFiles(temp.Path));
            ManifestChecks.Verify(manifest, ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)));
        }
    }

    [Fact]
    public void DefaultSubsetIsSmallAndMixed()
    {
        var subset = Corpus.DefaultSubset;
        Assert.InRange(subset.Count(m => m.Source.File is not null), 3, 4);
        Assert.InRange(subset.Count(m => m.Source.Generated is not null), 8, 12);
        Assert.Contains(subset, m => m.Task == ModelTask.Language);
        Assert.Contains(subset, m => m.Name == "resnet18");
        Assert.DoesNotContain(subset, m => m.Name is "bert-base" or "resnet152" or "vgg19");
    }

    [Fact]
    public void IntegerInputsHaveRanges()
    {
        foreach (var input in Corpus.Manifests.SelectMany(m => m.Inputs).Where(i => i.ElementType == "int64"))
            Assert.True(input.Min is not null && input.Max is not null, $"{input.Name} lacks a range");
    }
}
