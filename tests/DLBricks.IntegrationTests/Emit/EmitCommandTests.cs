using DLBricks.Tests.Benchmarking;
using DLBricks.Tests.Cli;

namespace DLBricks.Tests.Emit;

/// <summary><c>dlbricks emit</c> and <c>dlbricks import-results</c> as real processes.</summary>
public sealed class EmitCommandTests : IDisposable
{
    private const string Hash = "0ca68e075cacd88cba2a267c10231bdddf6c08c057c48e546d33ec3142690750";
    private readonly BrickFolderBuilder _bricks = new();
    private readonly string _work = Path.Combine(Path.GetTempPath(), "dlbricks-emit-cli-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void EmitWritesTheSuiteAndRefusesToOverwriteItWithoutForce()
    {
        _bricks.AddRelu(4);
        var folder = _bricks.WriteCatalog();
        var suite = Path.Combine(_work, "suite");

        var first = CliProcess.Run("emit", folder, "-o", suite);
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("suite of 1 bricks", first.StdOut);
        Assert.True(File.Exists(Path.Combine(suite, "BrickBenchmarks.csproj")));

        var again = CliProcess.Run("emit", folder, "-o", suite);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", Assert.Single(Lines(again.StdErr)));

        Assert.Equal(0, CliProcess.Run("emit", folder, "-o", suite, "--force").ExitCode);
    }

    [Fact]
    public void EmitWithoutCatalogFailsWithOneLineAndWritesNothing()
    {
        Directory.CreateDirectory(_work);
        var suite = Path.Combine(_work, "suite");
        var run = CliProcess.Run("emit", _work, "-o", suite);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("catalog.json", Assert.Single(Lines(run.StdErr)));
        Assert.False(Directory.Exists(suite));
    }

    [Fact]
    public void ImportResultsStoresOnceAndReportsTheSystem()
    {
        var files = new EmittedRunFiles(_work);
        files.WriteSystem(TimeSpan.Zero);
        files.WriteReport("DLBricksSuite.BrickBenchmarks-report-full.json", "20261123-101500", EmittedRunFiles.Case(Hash, [1, 2, 3]));
        var db = Path.Combine(_work, "results.db");
        var results = Path.Combine(files.Artifacts, "results");

        var first = CliProcess.Run("import-results", results, "--db", db);
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("1 imported, 0 already in the database", first.StdOut);
        Assert.Contains("Test CPU 9000", first.StdOut);
        Assert.Contains("job=emitted", first.StdOut);

        var second = CliProcess.Run("import-results", Path.Combine(results, "DLBricksSuite.BrickBenchmarks-report-full.json"), "--db", db);
        Assert.Contains("0 imported, 1 already in the database", second.StdOut);
    }

    [Fact]
    public void ImportResultsWithoutSystemDescriptionFailsWithOneLineAndCreatesNoDatabase()
    {
        var files = new EmittedRunFiles(_work);
        var report = files.WriteReport("r-report-full.json", "20261123-101500", EmittedRunFiles.Case(Hash, [1, 2, 3]));
        var db = Path.Combine(_work, "results.db");

        var run = CliProcess.Run("import-results", report, "--db", db);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("system.json", Assert.Single(Lines(run.StdErr)));
        Assert.False(File.Exists(db));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose()
    {
        _bricks.Dispose();
        if (Directory.Exists(_work))
            Directory.Delete(_work, recursive: true);
    }
}
