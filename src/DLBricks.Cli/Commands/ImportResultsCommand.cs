using System.CommandLine;
using DLBricks.Emit;
using DLBricks.Storage;

namespace DLBricks.Cli.Commands;

/// <summary><c>dlbricks import-results REPORT... --db FILE</c>: stores the results of an emitted suite run.</summary>
internal static class ImportResultsCommand
{
    public static Command Create()
    {
        var reports = new Argument<string[]>("REPORT")
        {
            Description = "BenchmarkDotNet JSON exports of an emitted suite (BenchmarkDotNet.Artifacts/results/*-report-full.json), or results folders.",
            Arity = ArgumentArity.OneOrMore,
        };
        var db = new Option<string>("--db") { Description = "Results database (SQLite).", DefaultValueFactory = _ => "dlbricks.db" };
        var system = new Option<string?>("--system") { Description = "The suite's system.json (default: next to each report or one folder up)." };
        var command = new Command("import-results", "Import the BenchmarkDotNet results of an emitted suite into the results database.") { reports, db, system };
        command.SetAction(result => CliErrors.Run(() =>
        {
            var files = result.GetValue(reports)!.SelectMany(Expand).ToList();
            // Read and check every file before the database is created or touched.
            var systemFile = result.GetValue(system);
            foreach (var file in files)
            {
                BdnJsonReport.Read(file);
                SuiteRunRecord.Load(systemFile ?? SuiteRunRecord.FindFor(file)
                    ?? throw new InvalidDataException($"{file}: no {EmittedSuite.SystemFileName} next to it or one folder up; pass --system FILE."));
            }
            using var store = new SqliteResultStore(result.GetValue(db)!);
            var imports = new ResultImporter(store).Import(files, systemFile);
            foreach (var import in imports)
                Print(import);
            Console.WriteLine($"Results: {store.Path}");
            return imports.Any(i => i.Failed.Count > 0) ? ExitCodes.PartialFailure : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A results folder stands for the full JSON exports in it.</summary>
    private static IEnumerable<string> Expand(string path)
    {
        if (!Directory.Exists(path))
            return [path];
        var reports = Directory.GetFiles(path, "*-report-full.json").Order(StringComparer.Ordinal).ToList();
        if (reports.Count == 0)
            throw new InvalidDataException($"{path}: no *-report-full.json in this folder; run the suite first.");
        return reports;
    }

    private static void Print(ReportImport import)
    {
        var s = import.System;
        Console.WriteLine($"{import.ReportPath}: {import.Imported} imported, {import.Unchanged} already in the database, {import.Failed.Count} failed in the suite run");
        Console.WriteLine($"  system {s.Key}: {s.CpuModel}, {s.LogicalCores} cores, {s.OperatingSystem}, {s.DotNetVersion}, ONNX Runtime {s.OnnxRuntimeVersion}");
        Console.WriteLine($"  configuration {import.Configuration.Key}: threads={import.Configuration.IntraOpThreads}, inter-threads={import.Configuration.InterOpThreads}, " +
                          $"mode={import.Configuration.ExecutionMode}, level={import.Configuration.OptimizationLevel}, job={import.Configuration.Job}");
        if (import.Calibration is { } calibration)
            Console.WriteLine($"  harness cost per call (Identity model): median {calibration.Median * 1000:F2} µs");
        foreach (var failed in import.Failed)
            Console.WriteLine($"  FAILED {failed.BrickHash}: {failed.Error}");
        foreach (var ignored in import.Ignored)
            Console.WriteLine($"  ignored {ignored}");
    }
}
