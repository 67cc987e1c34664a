using System.Text.Json;
using DLBricks.Corpus.Manifests;
using DLBricks.Reporting;
using DLBricks.Samples.Generator;
using DLBricks.Samples.Generator.Steps;
using DLBricks.Tests.Corpus;
using Spectre.Console;

namespace DLBricks.Tests.Samples;

/// <summary>The sample generator run in-process on tiny corpus models with the quick job, into temporary folders.</summary>
public class SampleGeneratorTests
{
    [Fact]
    public void Runs_the_pipeline_on_two_models_writes_the_report_and_resumes_from_the_database()
    {
        using var temp = new TempFolder();
        var manifests = ManifestFolder(temp.Path, "test-tiny-transformer", "bert-tiny");
        var options = Options(temp.Path, manifests) with { Granularities = [1, 2], Models = ["test-tiny-transformer", "bert-tiny"] };

        var (first, table, log) = Run(options);

        Assert.True(first.ExitCode == SampleGenerator.Success, log);
        var report = Path.Combine(temp.Path, "out", "report");
        foreach (var file in new[] { "validation.json", "validation.md", "jaccard.png", "summary.md", "fig10-normalized-latency.png" })
            Assert.True(new FileInfo(Path.Combine(report, file)).Length > 0, $"{file} missing or empty");
        Assert.True(File.Exists(Path.Combine(temp.Path, "out", "split-g1", "catalog.json")));
        Assert.True(File.Exists(Path.Combine(temp.Path, "out", "split-g2", "catalog.json")));

        // One row per model and G, with the manifest's task and a positive measurement and estimate.
        Assert.Equal(4, first.Results.Models.Count);
        foreach (var (model, task) in new[] { ("bert-tiny", "language"), ("test-tiny-transformer", "synthetic") })
        foreach (var g in new[] { 1, 2 })
        {
            var row = Assert.Single(first.Results.Models, r => r.Model == model && r.G == g);
            Assert.Equal(task, row.Task);
            Assert.True(row.E2eMs > 0 && row.EstimateMs > 0 && row.Normalized > 0, $"{model} G={g}: {row}");
            Assert.True(row.Layers > 0 && row.UniqueBricks <= row.Bricks);
            Assert.Contains(table.Split('\n'), line => line.StartsWith($"| {model}", StringComparison.Ordinal) && line.Contains($"| {task}", StringComparison.Ordinal)
                && line.Contains($"| {g} ", StringComparison.Ordinal));
        }
        // G=2 packs layers into fewer bricks; the repetition summary counts every G.
        Assert.True(first.Results.Models.Single(r => r.Model == "bert-tiny" && r.G == 2).Bricks < first.Results.Models.Single(r => r.Model == "bert-tiny" && r.G == 1).Bricks);
        var repetition = first.Results.Repetition!;
        Assert.Equal(2, repetition.Models);
        Assert.True(repetition.UniqueLayers < repetition.TotalLayers, "BERT's repeated encoder layers must dedupe");
        Assert.Equal([1, 2], repetition.Bricks.Select(b => b.G));
        Assert.Contains("repetition across 2 models", table);
        Assert.Equal(2, first.Results.Granularities.Count);

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, ValidationReportWriter.JsonFile))))
            Assert.Equal(4, json.RootElement.GetProperty("models").GetArrayLength());
        var summary = File.ReadAllText(Path.Combine(report, "summary.md"));
        Assert.Contains("| bert-tiny | language | 1 |", summary);
        Assert.Contains("## Repetition across 2 models", summary);

        // The second run finds every brick in the database and measures only the models end to end.
        var (second, _, secondLog) = Run(options);
        Assert.True(second.ExitCode == SampleGenerator.Success, secondLog);
        Assert.Contains("brick ", log);
        Assert.DoesNotContain("] brick ", secondLog);
        Assert.Equal(4, second.Results.Models.Count);
    }

    [Fact]
    public void A_broken_manifest_and_absent_shared_models_do_not_stop_the_others_but_fail_the_exit_code()
    {
        using var temp = new TempFolder();
        var manifests = ManifestFolder(temp.Path, "test-tiny-transformer");
        // The fixture is not in the shipped default subset; here it stands for the default model that must still run.
        var tiny = Path.Combine(manifests, "test-tiny-transformer.yaml");
        File.WriteAllText(tiny, File.ReadAllText(tiny).Replace("default: false", "default: true"));
        File.WriteAllText(Path.Combine(manifests, "broken.yaml"), "name: broken\nfamily: x\nlicence: typo\n");
        File.WriteAllText(Path.Combine(manifests, "zoo-absent.yaml"), """
            name: zoo-absent
            family: resnet
            task: classification
            source:
              file: no-such-shared-folder/resnet50.onnx
            inputs:
              - name: data_0
                type: float
                shape: [1, 3, 224, 224]
            license: test
            default: true
            """);
        File.WriteAllText(Path.Combine(manifests, "not-default.yaml"),
            File.ReadAllText(Path.Combine(manifests, "test-tiny-transformer.yaml")).Replace("name: test-tiny-transformer", "name: not-default").Replace("default: true", "default: false"));

        var (outcome, table, log) = Run(Options(temp.Path, manifests) with { Models = null });

        Assert.True(outcome.ExitCode == SampleGenerator.SomeFailed, log);
        var failure = Assert.Single(outcome.Run!.Failures);
        Assert.StartsWith(Path.Combine(manifests, "broken.yaml") + ":", failure);
        Assert.Contains(outcome.Run!.Notes, n => n.Contains("zoo-absent", StringComparison.Ordinal) && n.Contains("not found", StringComparison.Ordinal));
        // The default subset only: the non-default copy is not run.
        var row = Assert.Single(outcome.Results.Models);
        Assert.Equal("test-tiny-transformer", row.Model);
        Assert.Contains("| test-tiny-transformer", table);
        Assert.DoesNotContain("not-default", table);
        Assert.Contains("failed: " + failure, File.ReadAllText(Path.Combine(temp.Path, "out", "report", "summary.md")));
    }

    [Fact]
    public void Manifest_bindings_give_dims_shapes_and_deterministic_values_in_range()
    {
        var manifest = ManifestParser.ParseFile(Path.Combine(CorpusPaths.Manifests, "bert-tiny.yaml"));

        var bindings = ManifestBindings.For(manifest);

        Assert.Equal(128, bindings.Dims["seq"]);
        Assert.Equal([1L, 128L], bindings.Shapes["input_ids"]);
        var ids = bindings.Values["input_ids"];
        Assert.Equal(128, ids.Length);
        Assert.All(ids, v => Assert.InRange(v, 0, 30521));
        Assert.True(ids.Distinct().Count() > 100, "token ids should spread over the vocabulary");
        Assert.All(bindings.Values["attention_mask"], v => Assert.True(v is 0 or 1));
        Assert.Equal(ids, ManifestBindings.For(manifest).Values["input_ids"]);
    }

    [Fact]
    public void Reuse_demo_adds_a_family_to_a_store_of_the_other_models_and_reports_its_hit_rate()
    {
        using var temp = new TempFolder();
        var manifests = ManifestFolder(temp.Path, "test-tiny-transformer", "bert-tiny");
        var options = Options(temp.Path, manifests) with { ReuseDemoFamily = "bert", Models = ["test-tiny-transformer", "bert-tiny"] };

        var (outcome, table, log) = Run(options);

        Assert.True(outcome.ExitCode == SampleGenerator.Success, log);
        var demo = outcome.Run!.ReuseDemo!;
        Assert.Equal((1, "bert"), (demo.BasisModels, demo.Family));
        var row = Assert.Single(demo.Rows);
        Assert.Equal("bert-tiny", row.Reuse.Model);
        // Hits are exactly the added model's bricks that the basis split holds.
        var basis = DLBricks.Splitting.BrickCatalog.Load(Path.Combine(temp.Path, "out", "reuse-demo", "split-g1")).Bricks.Select(b => b.Hash).ToHashSet();
        var split = SplitRunner.SplitInMemory(outcome.Run.Models.Single(m => m.Name == "bert-tiny").Path,
            new SplitOptions { Bindings = _ => outcome.Run.Models.Single(m => m.Name == "bert-tiny").Bindings, Cache = outcome.Run.GraphCache });
        var hashes = split.Pieces.Select(p => p.Brick.Hash).Distinct().ToList();
        Assert.Equal(hashes.Count, row.Reuse.UniqueBricks);
        Assert.Equal(hashes.Count(basis.Contains), row.Reuse.AlreadyMeasured);
        Assert.Equal(row.Reuse.AlreadyMeasured > 0, row.Reuse.SavedMeasuredMs > 0);
        Assert.Contains("bert-tiny: brick cache hit rate", log);
        Assert.Contains("family 'bert':", table);
        Assert.Contains("| bert-tiny |", File.ReadAllText(Path.Combine(temp.Path, "out", "report", ReuseDemoStep.FileName)));
    }

    [Fact]
    public void Audit_splits_at_every_G_runs_every_brick_and_measures_nothing()
    {
        using var temp = new TempFolder();
        var manifests = ManifestFolder(temp.Path, "test-tiny-transformer", "bert-tiny");
        var options = Options(temp.Path, manifests) with { Audit = true, Granularities = [1, 2, 3, 4, 5, 6], Models = ["test-tiny-transformer", "bert-tiny"] };

        var (outcome, table, log) = Run(options);

        Assert.True(outcome.ExitCode == SampleGenerator.Success, log);
        var audit = outcome.Run!.Audit!;
        Assert.True(audit.AllPassed);
        Assert.Equal(12, audit.Rows.Count);
        Assert.False(File.Exists(Path.Combine(temp.Path, "results.db")), "the audit must not measure");
        var markdown = File.ReadAllText(Path.Combine(temp.Path, "out", "report", "split-audit.md"));
        Assert.Contains("| bert-tiny | ", markdown);
        Assert.Contains("G=6", markdown);
        Assert.Contains($"{audit.BricksRun} distinct bricks loaded and run", table);
    }

    [Fact]
    public void Every_family_of_the_corpus_splits_at_G_1_to_6_and_every_brick_runs()
    {
        // The default subset plus one model of each family it lacks (README: `--audit --full` does all 55 in about 4 minutes).
        // VGG and wide ResNet are covered by zoo-vgg19 and the default resnet50 (same layer kinds; their 0.3-0.5 GB files cost CI a minute).
        string[] families = ["densenet121", "googlenet", "resnext50_32x4d", "test-tiny-transformer", "zoo-bvlc_alexnet", "zoo-inception_v2", "zoo-vgg19",
            "zoo-zfnet512", "test-if", "test-loop", "test-dynamic-spatial"];
        var defaults = Directory.EnumerateFiles(CorpusPaths.Manifests, "*.yaml").Select(ManifestParser.ParseFile).Where(m => m.IsDefault).Select(m => m.Name);
        using var temp = new TempFolder();
        var options = Options(temp.Path, CorpusPaths.Manifests) with { Audit = true, Granularities = [1, 2, 3, 4, 5, 6], Models = [.. defaults, .. families] };

        var (outcome, _, log) = Run(options);

        Assert.True(outcome.ExitCode == SampleGenerator.Success, log);
        var audit = outcome.Run!.Audit!;
        Assert.True(audit.AllPassed, string.Join("\n", audit.Failures.Select(f => f.Message)));
        var models = audit.Rows.GroupBy(r => r.Model).ToList();
        Assert.Equal(outcome.Run.Manifests.Select(m => m.Name).Order(StringComparer.Ordinal), models.Select(m => m.Key).Order(StringComparer.Ordinal));
        Assert.Equal(26, models.Count);
        Assert.All(models, m => Assert.Equal([1, 2, 3, 4, 5, 6], m.Select(r => r.G)));
        Assert.All(audit.Rows, r => Assert.Equal(0, r.FailedBricks));
    }

    [Fact]
    public void Full_takes_every_real_model_but_leaves_the_synthetic_fixtures_to_models()
    {
        using var temp = new TempFolder();
        var manifests = ManifestFolder(temp.Path, "test-if", "bert-tiny");

        var (full, _, log) = Run(Options(temp.Path, manifests) with { Audit = true, Full = true, Granularities = [1] });
        var (named, _, namedLog) = Run(Options(temp.Path, manifests) with { Audit = true, Models = ["test-if"], Granularities = [1] });

        Assert.True(full.ExitCode == SampleGenerator.Success, log);
        Assert.Equal(["bert-tiny"], full.Run!.Audit!.Rows.Select(r => r.Model));
        Assert.True(named.ExitCode == SampleGenerator.Success, namedLog);
        Assert.Equal(["test-if"], named.Run!.Audit!.Rows.Select(r => r.Model));
    }

    [Fact]
    public void Options_parse_the_documented_arguments_and_reject_bad_ones()
    {
        Assert.Equal([1, 2, 3, 4, 5, 6], SampleOptions.Parse(["--audit"]).Granularities);
        Assert.Equal([2], SampleOptions.Parse(["-g", "2", "--audit"]).Granularities);
        Assert.Equal([1], SampleOptions.Parse([]).Granularities);
        var options = SampleOptions.Parse(["-g", "1,3", "--quick", "--models", "a, b", "--db", "x.db", "-o", "out", "--full"]);
        Assert.Equal([1, 3], options.Granularities);
        Assert.Equal(SampleRigor.Quick, options.Rigor);
        Assert.Equal(["a", "b"], options.Models!);
        Assert.Equal(("x.db", "out", true), (options.DatabasePath, options.OutputDirectory, options.Full));
        Assert.Equal(SampleRigor.Light, SampleOptions.Parse(["--rigor", "light"]).Rigor);
        Assert.Equal("resnet", SampleOptions.Parse(["--reuse-demo", "resnet"]).ReuseDemoFamily);
        Assert.Null(SampleOptions.Parse([]).ReuseDemoFamily);
        Assert.Equal(SampleRigor.Paper, SampleOptions.Parse([]).Rigor);

        Assert.Contains("-g", Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["-g", "0"])).Message);
        Assert.Contains("--wat", Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--wat"])).Message);
        Assert.Contains("--repeats", Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--repeats", "1"])).Message);
        Assert.Contains("needs a value", Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--models"])).Message);
    }

    private static SampleOptions Options(string root, string manifests) => new()
    {
        ManifestsDirectory = manifests,
        CacheDirectory = Path.Combine(root, "cache"),
        OutputDirectory = Path.Combine(root, "out"),
        DatabasePath = Path.Combine(root, "results.db"),
        Rigor = SampleRigor.Quick,
        Repeats = 2,
    };

    /// <summary>A manifest folder holding copies of the shipped manifests <paramref name="names"/>.</summary>
    private static string ManifestFolder(string root, params string[] names)
    {
        var folder = Path.Combine(root, "manifests");
        Directory.CreateDirectory(folder);
        foreach (var name in names)
            File.Copy(Path.Combine(CorpusPaths.Manifests, name + ".yaml"), Path.Combine(folder, name + ".yaml"));
        return folder;
    }

    private static (SampleOutcome Outcome, string Table, string Log) Run(SampleOptions options)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var log = new StringWriter();
        var outcome = new SampleGenerator(console, log).Run(options);
        return (outcome, output.ToString(), log.ToString() + output);
    }
}
