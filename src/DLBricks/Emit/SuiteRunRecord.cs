using System.Text.Json;
using DLBricks.Export;
using DLBricks.Storage;
using DLBricks.Splitting;

namespace DLBricks.Emit;

/// <summary>
/// The <c>system.json</c> an emitted suite writes into its BenchmarkDotNet artifacts folder after a run: the machine (same fields as
/// <see cref="SystemFingerprint"/>), the session settings the suite used, and when the file was written (with the local offset).
/// </summary>
/// <param name="System">The machine the suite ran on.</param>
/// <param name="Configuration">How the suite configured its sessions; the job is always <see cref="EmittedSuite.JobName"/>.</param>
/// <param name="WrittenAt">When the suite finished, in the runner's local time.</param>
internal sealed record SuiteRunRecord(SystemFingerprint System, RunConfiguration Configuration, DateTimeOffset WrittenAt)
{
    /// <summary>Reads a system.json file.</summary>
    /// <exception cref="InvalidDataException">Missing, unreadable or incomplete; the message names the file.</exception>
    public static SuiteRunRecord Load(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: file not found.");
        SuiteRunRecord? record;
        try
        {
            using var stream = File.OpenRead(path);
            record = JsonSerializer.Deserialize<SuiteRunRecord>(stream, CatalogJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a suite system description ({e.Message}).", e);
        }
        if (record?.System is not { CpuModel: not null, OperatingSystem: not null, DotNetVersion: not null, OnnxRuntimeVersion: not null } system
            || record.Configuration is not { ExecutionProvider: not null, ExecutionMode: not null, OptimizationLevel: not null })
            throw new InvalidDataException($"{path}: not a suite system description (system or configuration fields missing).");
        // Whatever the file says, results of an emitted suite never mix with those of `dlbricks bench` jobs.
        return record with { System = system, Configuration = record.Configuration with { Job = EmittedSuite.JobName, Measurement = EmittedSuite.Measurement } };
    }

    /// <summary>
    /// The system.json that belongs to a report: the one next to it or in the folder above (BenchmarkDotNet writes reports into
    /// <c>BenchmarkDotNet.Artifacts/results/</c> and the suite writes system.json into <c>BenchmarkDotNet.Artifacts/</c>).
    /// </summary>
    public static string? FindFor(string reportPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(reportPath));
        for (var i = 0; i < 2 && folder is not null; i++, folder = Path.GetDirectoryName(folder))
        {
            var candidate = Path.Combine(folder, EmittedSuite.SystemFileName);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
