using System.Text.Json;
using System.Xml.Linq;
using DLBricks.Emit;
using DLBricks.Export;
using DLBricks.Tests.Benchmarking;
using DLBricks.Splitting;

namespace DLBricks.Tests.Emit;

public sealed class BenchmarkSuiteEmitterTests : IDisposable
{
    private readonly BrickFolderBuilder _bricks = new();
    private readonly string _target = Path.Combine(Path.GetTempPath(), "dlbricks-emit-tests", Guid.NewGuid().ToString("N"), "suite");

    [Fact]
    public void SuiteCarriesBricksCatalogSettingsAndSourcesWithTheRepositorysPackageVersions()
    {
        var relu = _bricks.AddRelu(8);
        var gather = _bricks.AddGather([2, 0, 4]);
        var folder = _bricks.WriteCatalog();

        var suite = BenchmarkSuiteEmitter.Emit(folder, _target, new SuiteOptions { IntraOpThreads = 1, OptimizationLevel = "basic" });

        Assert.Equal(2, suite.BrickCount);
        foreach (var hash in new[] { relu, gather })
            Assert.Equal(File.ReadAllBytes(Path.Combine(folder, "bricks", hash + ".onnx")), File.ReadAllBytes(Path.Combine(_target, "bricks", hash + ".onnx")));
        Assert.Equal(File.ReadAllText(Path.Combine(folder, "catalog.json")), File.ReadAllText(Path.Combine(_target, "catalog.json")));
        foreach (var name in new[] { "Program.cs", "BrickBenchmarks.cs", "OnnxModelRunner.Suite.cs", "SyntheticInputs.Suite.cs", "SystemRecord.cs", "README.md",
                     "DLBricks/OnnxModelRunner.Portable.cs", "DLBricks/SyntheticInputs.Portable.cs", ".gitignore",
                     "nuget.config", "Directory.Build.props", "Directory.Packages.props", "calibration/identity.onnx" })
            Assert.True(File.Exists(Path.Combine(_target, name)), name);

        // The suite pins exactly the versions DLBricks itself is built with.
        var pinned = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
        var references = XDocument.Load(suite.ProjectFile).Descendants("PackageReference")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
        Assert.Equal(pinned["BenchmarkDotNet"], references["BenchmarkDotNet"]);
        Assert.Equal(pinned["Microsoft.ML.OnnxRuntime"], references["Microsoft.ML.OnnxRuntime"]);
        Assert.Equal(2, references.Count);

        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(_target, EmittedSuite.SettingsFileName)));
        var configuration = settings.RootElement.GetProperty("configuration");
        Assert.Equal(1, configuration.GetProperty("intra_op_threads").GetInt32());
        Assert.Equal("basic", configuration.GetProperty("optimization_level").GetString());
        Assert.Equal(EmittedSuite.JobName, configuration.GetProperty("job").GetString());
        Assert.Equal("emitted", suite.Configuration.Job);

        // No DLBricks assembly or project is referenced (it carries DLBricks' portable sources instead): the suite builds where
        // DLBricks is not installed.
        var project = XDocument.Load(suite.ProjectFile);
        Assert.Empty(project.Descendants("ProjectReference"));
        Assert.Empty(project.Descendants("Reference"));
        Assert.DoesNotContain("{{", File.ReadAllText(suite.ProjectFile));
    }

    [Fact]
    public void NonEmptyFolderIsRefusedAndLeftAlone()
    {
        _bricks.AddRelu(4);
        var folder = _bricks.WriteCatalog();
        Directory.CreateDirectory(_target);
        File.WriteAllText(Path.Combine(_target, "notes.txt"), "mine");

        var e = Assert.Throws<IOException>(() => BenchmarkSuiteEmitter.Emit(folder, _target));
        Assert.Contains(_target, e.Message);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(_target).Select(Path.GetFileName));
    }

    [Fact]
    public void MissingBrickFileFailsNamingItAndWritesNothing()
    {
        var hash = _bricks.AddRelu(4);
        var folder = _bricks.WriteCatalog();
        File.Delete(Path.Combine(folder, "bricks", hash + ".onnx"));

        var e = Assert.Throws<InvalidDataException>(() => BenchmarkSuiteEmitter.Emit(folder, _target));
        Assert.Contains($"bricks/{hash}.onnx", e.Message);
        Assert.False(Directory.Exists(_target));
        var parent = Path.GetDirectoryName(_target)!;
        Assert.True(!Directory.Exists(parent) || !Directory.EnumerateFileSystemEntries(parent).Any(), "no staging folder left behind");
    }

    [Fact]
    public void BadOptionValueIsRejectedBeforeWriting()
    {
        _bricks.AddRelu(4);
        var folder = _bricks.WriteCatalog();
        var e = Assert.Throws<ArgumentException>(() => BenchmarkSuiteEmitter.Emit(folder, _target, new SuiteOptions { OptimizationLevel = "turbo" }));
        Assert.Contains("turbo", e.Message);
        Assert.False(Directory.Exists(_target));
    }

    [Fact]
    public void OverwriteReplacesTheSuiteButKeepsItsResults()
    {
        _bricks.AddRelu(4);
        var folder = _bricks.WriteCatalog();
        BenchmarkSuiteEmitter.Emit(folder, _target);
        var results = Path.Combine(_target, "BenchmarkDotNet.Artifacts", "results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, "run-report-full.json"), "{}");
        _bricks.AddRelu(16);
        _bricks.WriteCatalog();

        Assert.Throws<IOException>(() => BenchmarkSuiteEmitter.Emit(folder, _target));
        var suite = BenchmarkSuiteEmitter.Emit(folder, _target, new SuiteOptions { Overwrite = true });

        Assert.Equal(2, suite.BrickCount);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_target, "bricks")).Length);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(results, "run-report-full.json")));
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(_target)!));
    }

    [Fact]
    public void CatalogPointingOutsideItsFolderIsRefused()
    {
        var hash = _bricks.AddRelu(4);
        var folder = _bricks.WriteCatalog();
        var catalog = BrickCatalog.Load(folder);
        var evil = catalog with { Bricks = [catalog.Bricks[0] with { File = "../outside.onnx" }] };
        File.WriteAllText(Path.Combine(folder, BrickCatalog.FileName), JsonSerializer.Serialize(evil, CatalogJson.Options));

        var e = Assert.Throws<InvalidDataException>(() => BenchmarkSuiteEmitter.Emit(folder, _target));
        Assert.Contains(hash, e.Message);
        Assert.False(Directory.Exists(_target));
    }

    public void Dispose()
    {
        _bricks.Dispose();
        var parent = Path.GetDirectoryName(_target)!;
        if (Directory.Exists(parent))
            Directory.Delete(parent, recursive: true);
    }
}
