using DLBricks.Corpus;
using DLBricks.Corpus.Families;
using DLBricks.Corpus.Manifests;
using DLBricks.Corpus.Building;

namespace DLBricks.Tests.Corpus;

public class ManifestParserTests
{
    private const string Path = "models-corpus/manifests/example.yaml";

    private const string Valid = """
        name: bert-example
        family: bert
        task: language
        source:
          generated: bert/tiny
          seed: 5
        inputs:
          - name: input_ids
            type: int64
            shape: [batch, seq]
            range: [0, 30521]
          - name: attention_mask
            type: int64
            shape: [batch, seq]
            range: [0, 1]
        dims:
          batch: 1
          seq: 128
        license: MIT
        origin: test
        default: true
        """;

    [Fact]
    public void ParsesValidManifest()
    {
        var m = ManifestParser.Parse(Valid, Path);
        Assert.Equal("bert-example", m.Name);
        Assert.Equal(ModelTask.Language, m.Task);
        Assert.Equal("bert", m.Source.GeneratedFamily);
        Assert.Equal("tiny", m.Source.GeneratedVariant);
        Assert.Equal(5, m.Source.Seed);
        Assert.True(m.IsDefault);
        Assert.Equal(new Dim[] { "batch", "seq" }, m.Inputs[0].Shape);
        Assert.Equal((0L, 30521L), (m.Inputs[0].Min!.Value, m.Inputs[0].Max!.Value));
        Assert.Equal(new long[] { 1, 128 }, m.ConcreteShape(m.Inputs[0]));
    }

    [Theory]
    [InlineData("license: MIT", "license: MIT\ncolour: blue", "unknown field 'colour'")]
    [InlineData("    range: [0, 1]", "    range: [0, 1]\n    layout: nchw", "unknown field 'layout'")]
    [InlineData("shape: [batch, seq]\n    range: [0, 30521]", "shape: [batch, -3]\n    range: [0, 30521]", "bad dim '-3'")]
    [InlineData("shape: [batch, seq]\n    range: [0, 30521]", "shape: [batch, 2.5]\n    range: [0, 30521]", "bad dim '2.5'")]
    [InlineData("shape: [batch, seq]\n    range: [0, 30521]", "shape: [batch, tokens]\n    range: [0, 30521]", "symbolic dim 'tokens' has no value")]
    [InlineData("shape: [batch, seq]\n    range: [0, 30521]", "shape: []\n    range: [0, 30521]", "missing shape")]
    [InlineData("generated: bert/tiny", "generated: transformerxl/tiny", "unknown family 'transformerxl'")]
    [InlineData("generated: bert/tiny", "generated: bert/huge", "no variant 'huge'")]
    [InlineData("task: language", "task: poetry", "unknown task 'poetry'")]
    [InlineData("  seq: 128", "  seq: 0", "value of 'seq' must be a positive integer")]
    [InlineData("    range: [0, 1]", "    range: [1, 0]", "'range' must be [min, max]")]
    [InlineData("default: true", "default: maybe", "'default' must be true or false")]
    [InlineData("license: MIT\n", "", "missing field 'license'")]
    [InlineData("    type: int64\n    shape: [batch, seq]\n    range: [0, 1]", "    type: complex\n    shape: [batch, seq]\n    range: [0, 1]", "unknown element type 'complex'")]
    [InlineData("  seed: 5", "  seed: 5\n  file: model.onnx", "exactly one of 'generated' or 'file'")]
    [InlineData("name: bert-example", "name: bert example/1", "may only use letters")]
    [InlineData("license: MIT", "license: [MIT", "invalid YAML")]
    public void ErrorsAreOneLineNamingTheManifest(string find, string replace, string expected)
    {
        Assert.Contains(find, Valid);
        var yaml = Valid.Replace(find, replace);
        var e = Assert.Throws<ManifestException>(() => ManifestParser.Parse(yaml, Path));
        Assert.StartsWith(Path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingInputsListIsAnError()
    {
        var yaml = "name: x\nfamily: bert\ntask: language\nsource:\n  generated: bert/tiny\nlicense: MIT\n";
        var e = Assert.Throws<ManifestException>(() => ManifestParser.Parse(yaml, Path));
        Assert.Equal($"{Path}: missing field 'inputs' (declare at least one input)", e.Message);
    }

    [Fact]
    public void InputMissingFromManifestIsReportedAgainstTheModel()
    {
        // Declares only input_ids, but BERT also needs attention_mask.
        var yaml = Valid.Replace("""
              - name: attention_mask
                type: int64
                shape: [batch, seq]
                range: [0, 1]

            """.Replace("\r", ""), "");
        var manifest = ManifestParser.Parse(yaml, Path);
        Assert.Single(manifest.Inputs);
        var model = ModelCorpus.Generate(manifest, structureOnly: true);
        var e = Assert.Throws<ManifestException>(() => ManifestChecks.Verify(manifest, model));
        Assert.StartsWith(Path + ": missing input 'attention_mask'", e.Message);
    }

    [Fact]
    public void FixedDimMismatchIsReported()
    {
        var yaml = """
            name: r
            family: resnet
            task: classification
            source:
              generated: resnet/18
            inputs:
              - name: input
                type: float
                shape: [1, 3, 256, 224]
            license: MIT
            """;
        var manifest = ManifestParser.Parse(yaml, Path);
        var e = Assert.Throws<ManifestException>(() => ManifestChecks.Verify(manifest, ModelCorpus.Generate(manifest, structureOnly: true)));
        Assert.Contains("dim 2 is 224 in the model but 256", e.Message);
    }

    [Fact]
    public void FileErrorsNameTheFile()
    {
        using var temp = new TempFolder();
        var file = System.IO.Path.Combine(temp.Path, "broken.yaml");
        File.WriteAllText(file, Valid.Replace("family: bert", "family: bert\nfamilly: typo"));
        var e = Assert.Throws<ManifestException>(() => ModelCorpus.Load(temp.Path));
        Assert.StartsWith(file + ": unknown field 'familly'", e.Message);
    }

    [Fact]
    public void DuplicateNamesAcrossFilesAreRejected()
    {
        using var temp = new TempFolder();
        File.WriteAllText(System.IO.Path.Combine(temp.Path, "a.yaml"), Valid);
        File.WriteAllText(System.IO.Path.Combine(temp.Path, "b.yaml"), Valid);
        var e = Assert.Throws<ManifestException>(() => ModelCorpus.Load(temp.Path));
        Assert.Contains("b.yaml: name 'bert-example' is already used by", e.Message);
    }

    [Fact]
    public void UnknownConfigKeyIsReportedWhenGenerating()
    {
        var manifest = ManifestParser.Parse(Valid.Replace("  seed: 5", "  seed: 5\n  config:\n    dropout: 0.1"), Path);
        var e = Assert.Throws<ManifestException>(() => ModelCorpus.Generate(manifest, structureOnly: true));
        Assert.Equal($"{Path}: config key 'dropout' is not understood by family 'bert'", e.Message);
    }

    [Fact]
    public void EveryFamilyIsKnownToTheParser()
    {
        foreach (var family in ModelFamilies.All)
        {
            var yaml = $"name: x\nfamily: {family.Name}\ntask: synthetic\nsource:\n  generated: {family.Name}/{family.Variants[0]}\ninputs:\n  - name: a\n    type: float\n    shape: [1]\nlicense: MIT\n";
            Assert.Equal(family.Name, ManifestParser.Parse(yaml, Path).Source.GeneratedFamily);
        }
    }
}
