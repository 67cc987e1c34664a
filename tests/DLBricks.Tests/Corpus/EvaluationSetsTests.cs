using DLBricks.Corpus;
using DLBricks.Corpus.Manifests;
using DLBricks.Samples.Generator;
using DLBricks.Samples.Generator.Steps;

namespace DLBricks.Tests.Corpus;

public class EvaluationSetsTests
{
    private static readonly ModelCorpus Corpus = ModelCorpus.Load(CorpusPaths.Manifests);

    [Fact]
    public void EveryReportNameIsARealShippedModelAndEveryFamilyIsTunedOn()
    {
        var byName = Corpus.Manifests.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var name in EvaluationSets.ReportManifests)
        {
            Assert.True(byName.TryGetValue(name, out var manifest), $"report-set name '{name}' has no manifest");
            Assert.NotEqual(ModelTask.Synthetic, manifest!.Task);
        }
        foreach (var name in EvaluationSets.ReportSharedModels)
            Assert.True(File.Exists(Path.Combine(CorpusPaths.SharedLightModels, name + ".onnx")), $"shared model '{name}' not found");

        var real = Corpus.Manifests.Where(m => m.Task != ModelTask.Synthetic).ToList();
        Assert.All(Corpus.Manifests.Where(m => m.Task == ModelTask.Synthetic), m => Assert.Null(EvaluationSets.Of(m)));
        // A family with several sizes is tuned on some and reported on others; single-model families may sit on either side.
        foreach (var family in real.GroupBy(m => m.Family).Where(f => f.Count() > 1))
            Assert.Contains(family, m => EvaluationSets.Of(m) == EvaluationSet.Tuning);
    }

    [Fact]
    public void ACorpusRebuildOfASharedModelSitsInTheSameSetAsTheSharedFile()
    {
        foreach (var manifest in Corpus.Manifests.Where(m => m.Source.File is not null))
            Assert.Equal(EvaluationSets.OfSharedModel(manifest.Source.File!), EvaluationSets.Of(manifest));
    }

    [Fact]
    public void TheSampleSelectsOneSetOfTheDefaultSubsetOrOfEveryRealModel()
    {
        var all = Corpus.Manifests;
        var tuning = LoadManifestsStep.Select(all, SampleOptions.Parse(["--set", "tuning"]));
        var report = LoadManifestsStep.Select(all, SampleOptions.Parse(["--set", "report"]));
        var both = LoadManifestsStep.Select(all, SampleOptions.Parse([]));

        Assert.NotEmpty(tuning);
        Assert.NotEmpty(report);
        Assert.Empty(tuning.Intersect(report));
        Assert.Equal(both.Select(m => m.Name).Order(), tuning.Concat(report).Select(m => m.Name).Order());
        Assert.All(report, m => Assert.Contains(m.Name, EvaluationSets.ReportManifests));

        var fullReport = LoadManifestsStep.Select(all, SampleOptions.Parse(["--full", "--set", "report"]));
        Assert.Equal(EvaluationSets.ReportManifests.Order(StringComparer.Ordinal), fullReport.Select(m => m.Name));
        Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--set", "holdout"]));
        Assert.Equal(3, SampleOptions.Parse(["--runs", "3"]).Runs);
        Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--runs", "0"]));
    }
}
