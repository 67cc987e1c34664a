using System.Text.Json;
using DLBricks.Emit;
using DLBricks.Export;
using DLBricks.Storage;

namespace DLBricks.Tests.Emit;

/// <summary>Import of BenchmarkDotNet JSON exports written the way BenchmarkDotNet 0.15.8 writes them (NaN as empty strings).</summary>
public sealed class ResultImporterTests : IDisposable
{
    private const string HashA = "0ca68e075cacd88cba2a267c10231bdddf6c08c057c48e546d33ec3142690750";
    private const string HashB = "1a7b195080dda1a3479ae37a550d4b7715867d81ab190a7104e1f8fd6da11701";
    private static readonly SystemFingerprint Machine = EmittedRunFiles.Machine;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dlbricks-import-tests", Guid.NewGuid().ToString("N"));

    private readonly EmittedRunFiles _files;

    public ResultImporterTests() => _files = new EmittedRunFiles(_folder);

    private string DbPath => Path.Combine(_folder, "results.db");

    [Fact]
    public void ReportStatisticsBecomeMillisecondsWithTheTrimmedMeanOfAllResultMeasurements()
    {
        // Ten results of 1..10 µs per op (2 ops per iteration) plus warm-up noise that must not count; BDN removed the outlier 10.
        var report = BdnJsonReport.Read(_files.WriteReport("r-report-full.json", "20261123-101500", EmittedRunFiles.Case(HashA, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])));

        var brick = Assert.Single(report.Bricks);
        Assert.Equal(HashA, brick.BrickHash);
        var s = brick.Statistics!;
        Assert.Equal(0.005, s.Mean, 12);
        Assert.Equal(0.005, s.Median, 12);
        Assert.Equal(0.008, s.P90, 12);
        Assert.Equal(0.001, s.Min, 12);
        Assert.Equal(9, s.N);
        // Drop 2 at each end of 1..10 µs: mean of 3..8 µs.
        Assert.Equal(0.0055, s.TrimmedMean, 12);
        // The CI was NaN (empty strings): falls back to the mean instead of storing NaN.
        Assert.Equal(s.Mean, s.CiLower);
        Assert.Equal(s.Mean, s.CiUpper);
        Assert.Equal(new DateTime(2026, 11, 23, 10, 15, 0), report.StartedAt);
    }

    [Fact]
    public void ImportFilesResultsUnderTheRecordedSystemAndTwiceAddsNothing()
    {
        _files.WriteSystem(TimeSpan.FromHours(1));
        var path = _files.WriteReport("r-report-full.json", "20261123-101500", EmittedRunFiles.Case(HashA, [1, 2, 3]), EmittedRunFiles.Case(HashB, [4, 5, 6]),
            """{ "Type": "OtherBenchmarks", "Parameters": "", "FullName": "X.OtherBenchmarks.Run" }""",
            EmittedRunFiles.Case("0ca6...0750", [1, 2, 3]));
        using var store = new SqliteResultStore(DbPath);

        var first = Assert.Single(new ResultImporter(store).Import([path]));
        Assert.Equal(2, first.Imported);
        Assert.Equal(2, first.Ignored.Count);
        Assert.Equal(Machine, first.System);
        Assert.Equal("emitted", first.Configuration.Job);
        var results = store.GetResults(Machine.Key, first.Configuration.Key);
        Assert.Equal(2, results.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 15, 0, TimeSpan.FromHours(1)), results[HashA].MeasuredAt);
        Assert.Equal(0.005, results[HashB].Statistics!.Median, 12);

        var second = Assert.Single(new ResultImporter(store).Import([path]));
        Assert.Equal(0, second.Imported);
        Assert.Equal(2, second.Unchanged);
        Assert.Equal(results, store.GetResults(Machine.Key, first.Configuration.Key));
    }

    [Fact]
    public void OlderRunNeverReplacesANewerOneAndAFailureNeverHidesASuccess()
    {
        _files.WriteSystem(TimeSpan.Zero);
        var newer = _files.WriteReport("new-report-full.json", "20261123-120000", EmittedRunFiles.Case(HashA, [1, 2, 3]));
        var older = _files.WriteReport("old-report-full.json", "20261122-120000", EmittedRunFiles.Case(HashA, [7, 8, 9]));
        var failed = _files.WriteReport("failed-report-full.json", "20261124-120000", $$"""{ "Type": "BrickBenchmarks", "Parameters": "Brick={{HashA}}", "Statistics": null }""");
        using var store = new SqliteResultStore(DbPath);
        var importer = new ResultImporter(store);

        importer.Import([newer]);
        var fromOlder = Assert.Single(importer.Import([older]));
        var fromFailed = Assert.Single(importer.Import([failed]));

        Assert.Equal(1, fromOlder.Unchanged);
        Assert.Single(fromFailed.Failed);
        var stored = store.GetResults(Machine.Key, fromOlder.Configuration.Key)[HashA];
        Assert.True(stored.Succeeded);
        Assert.Equal(0.002, stored.Statistics!.Median, 12);
    }

    [Fact]
    public void CalibrationCaseBecomesTheStoredHarnessCostNotABrickResult()
    {
        _files.WriteSystem(TimeSpan.Zero);
        var path = _files.WriteReport("r-report-full.json", "20261123-101500", EmittedRunFiles.Case(HashA, [5, 6, 7]),
            EmittedRunFiles.Case(EmittedSuite.CalibrationCase, [1, 1, 1]));
        using var store = new SqliteResultStore(DbPath);

        var import = Assert.Single(new ResultImporter(store).Import([path]));

        Assert.Equal(1, import.Imported);
        Assert.Equal(0.001, import.Calibration!.Median, 12);
        Assert.Equal(import.Calibration, store.GetCalibration(Machine.Key, import.Configuration.Key));
        Assert.Equal([HashA], store.GetResults(Machine.Key, import.Configuration.Key).Keys);
    }

    [Fact]
    public void ReportWithoutSystemDescriptionFailsNamingItAndWritesNothing()
    {
        var path = _files.WriteReport("r-report-full.json", "20261123-101500", EmittedRunFiles.Case(HashA, [1, 2, 3]));
        using var store = new SqliteResultStore(DbPath);

        var e = Assert.Throws<InvalidDataException>(() => new ResultImporter(store).Import([path]));
        Assert.Contains(path, e.Message);
        Assert.Contains("system.json", e.Message);
        Assert.Empty(store.ListSystems());
    }

    [Fact]
    public void FileThatIsNotABenchmarkDotNetExportIsRejected()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "catalog.json");
        File.WriteAllText(path, """{ "bricks": [] }""");
        var e = Assert.Throws<InvalidDataException>(() => BdnJsonReport.Read(path));
        Assert.Contains(path, e.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
