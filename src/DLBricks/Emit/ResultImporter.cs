using DLBricks.Storage;

namespace DLBricks.Emit;

/// <summary>What importing one report file did.</summary>
/// <param name="ReportPath">The BenchmarkDotNet JSON export.</param>
/// <param name="SystemPath">The system.json the results were filed under.</param>
/// <param name="System">The machine the suite ran on.</param>
/// <param name="Configuration">The configuration the results were stored under (job <see cref="EmittedSuite.JobName"/>).</param>
/// <param name="Imported">Brick results written (new, or newer than the stored ones).</param>
/// <param name="Unchanged">Brick results already in the store from this run or a later one; nothing written.</param>
/// <param name="Failed">Bricks the suite could not measure, stored with their error.</param>
/// <param name="Ignored">Benchmarks of the file that are not brick cases, with the reason.</param>
/// <param name="Calibration">The harness cost per call measured on the empty model in this run, when the run included it.</param>
internal sealed record ReportImport(
    string ReportPath,
    string SystemPath,
    SystemFingerprint System,
    RunConfiguration Configuration,
    int Imported,
    int Unchanged,
    IReadOnlyList<ReportedBrick> Failed,
    IReadOnlyList<string> Ignored,
    LatencyStatistics? Calibration);

/// <summary>
/// Files the results of an emitted suite run (<c>dlbricks import-results</c>) into a result store as <see cref="BrickResult"/>s,
/// under the system and session settings the suite recorded in its <c>system.json</c> and job <see cref="EmittedSuite.JobName"/>.
/// Every file is read and checked before anything is written. Importing is idempotent: a result whose store copy is from the same
/// run or a later one is left alone, so importing the same file twice adds nothing and an old file never replaces newer results.
/// </summary>
internal sealed class ResultImporter(IResultStore store)
{
    /// <summary>
    /// Imports BenchmarkDotNet JSON exports. <paramref name="systemFile"/> names the suite's system.json for every report; when
    /// null, each report uses the system.json next to it or one folder up.
    /// </summary>
    /// <exception cref="InvalidDataException">A report or its system.json is missing or unreadable; nothing was written.</exception>
    public IReadOnlyList<ReportImport> Import(IReadOnlyList<string> reportPaths, string? systemFile = null)
    {
        if (reportPaths.Count == 0)
            throw new InvalidDataException("no report files given; pass BenchmarkDotNet.Artifacts/results/*-report-full.json.");
        var loaded = new List<(BdnJsonReport Report, string SystemPath, SuiteRunRecord Run)>();
        foreach (var path in reportPaths)
        {
            var report = BdnJsonReport.Read(path);
            var systemPath = systemFile ?? SuiteRunRecord.FindFor(path)
                ?? throw new InvalidDataException($"{path}: no {EmittedSuite.SystemFileName} next to it or one folder up; the suite writes it into BenchmarkDotNet.Artifacts/ (pass --system FILE).");
            loaded.Add((report, systemPath, SuiteRunRecord.Load(systemPath)));
        }
        return loaded.Select(l => Store(l.Report, l.SystemPath, l.Run)).ToList();
    }

    private ReportImport Store(BdnJsonReport report, string systemPath, SuiteRunRecord run)
    {
        var system = run.System;
        var configuration = run.Configuration;
        store.RegisterSystem(system);
        store.RegisterConfiguration(configuration);
        var measuredAt = report.StartedAt is { } local ? new DateTimeOffset(local, run.WrittenAt.Offset) : run.WrittenAt;
        var stored = store.GetResults(system.Key, configuration.Key);
        int imported = 0, unchanged = 0;
        var failed = new List<ReportedBrick>();
        foreach (var brick in report.Bricks.Where(b => b.BrickHash != EmittedSuite.CalibrationCase))
        {
            if (brick.Statistics is null)
                failed.Add(brick);
            if (stored.TryGetValue(brick.BrickHash, out var existing) && existing.MeasuredAt >= measuredAt)
            {
                unchanged++;
                continue;
            }
            // A failure in this run never hides a success measured earlier.
            if (brick.Statistics is null && existing is { Succeeded: true })
            {
                unchanged++;
                continue;
            }
            store.Save(new BrickResult(brick.BrickHash, system.Key, configuration.Key, brick.Statistics, brick.Error, measuredAt));
            if (brick.Statistics is not null)
                imported++;
        }
        var calibration = report.Bricks.FirstOrDefault(b => b.BrickHash == EmittedSuite.CalibrationCase)?.Statistics;
        // Like the results, an old file must not replace the calibration of a newer run: only a run that brought new results may.
        if (calibration is not null && (imported > 0 || store.GetCalibration(system.Key, configuration.Key) is null))
            store.SaveCalibration(system.Key, configuration.Key, calibration);
        return new ReportImport(report.Path, systemPath, system, configuration, imported, unchanged, failed, report.Ignored, calibration);
    }
}
