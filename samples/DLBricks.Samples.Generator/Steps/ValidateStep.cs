using DLBricks.Benchmarking;
using DLBricks.Graph;
using DLBricks.Storage;
using DLBricks.Validation;
using Microsoft.Data.Sqlite;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// The product's main job: split the models at every G into <c>split-g&lt;G&gt;</c>, benchmark the unique bricks and the
/// models end to end on the same BenchmarkDotNet engine (results kept in SQLite), and estimate. A model that fails during
/// measurement is dropped and the validation repeated for the others; bricks measured meanwhile are reused from the store.
/// </summary>
internal sealed class ValidateStep : ISampleStep
{
    /// <inheritdoc />
    public string Name => "validate";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        if (run.Models.Count == 0) return;
        var job = SampleSession.JobFor(run.Options.Rigor);
        var configuration = SampleSession.ConfigurationFor(job);
        SessionOptionsFactory.EnsureAvailable(configuration);
        run.Job = job;
        run.Configuration = configuration;

        SqliteResultStore store;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(run.DatabasePath)!);
            store = new SqliteResultStore(run.DatabasePath);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new SampleSetupException($"{run.DatabasePath}: cannot open the results database: {e.Message}", e);
        }

        using (store)
        {
            var engine = new EngineMeasurement(store, configuration, job, Bindings(run));
            run.Fingerprint = engine.System;
            run.Progress.Report($"system {engine.System.CpuModel}, {engine.System.LogicalCores} logical cores; job {job.Name} " +
                $"({job.WarmupCount} warmup + {job.IterationCount} iterations), threads 1, level all; results in {run.DatabasePath}");
            var options = new ValidationRunOptions
            {
                Granularities = run.Options.Granularities,
                EndToEndRepeats = run.Options.Repeats,
                Runs = run.Options.Runs,
                Session = configuration,
                Split = new SplitOptions { Bindings = Bindings(run), Cache = run.GraphCache },
            };
            while (run.Models.Count > 0)
            {
                try
                {
                    run.Report = ValidationRunner.Run(run.Models.Select(m => m.Path).ToList(), options, run.OutputDirectory, engine, run.Progress, run.CancellationToken);
                    break;
                }
                catch (Exception e) when (e is InvalidModelException or InvalidDataException or OnnxRuntimeException or BenchmarkFailedException)
                {
                    var reason = e.Message.ReplaceLineEndings(" ");
                    var culprit = run.Models.FirstOrDefault(m => reason.Contains(m.Path, StringComparison.Ordinal));
                    if (culprit is null)
                    {
                        foreach (var model in run.Models.ToList()) run.Fail(model.Name, "validation failed: " + reason);
                        break;
                    }
                    run.Fail(culprit.Name, reason);
                    if (run.Models.Count > 0) run.Progress.Report($"validating again without {culprit.Name} (bricks already measured are reused)");
                }
            }
        }

        // Models the runner gave up on (and went on without) are failures of the sample run too.
        foreach (var failure in run.Report?.Failures ?? [])
        {
            if (failure.Stage == "profile") run.Failures.Add(failure.ToString());
            else run.Fail(failure.Model, $"{failure.Stage}: {failure.Reason}");
        }

        foreach (var row in run.Report?.Models ?? [])
            if (row.MissingBricks.Count > 0)
                run.Failures.Add($"{row.Model}: G={row.G}: {row.MissingBricks.Count} bricks could not be measured, so the estimate counts them as 0 ms");
    }

    private static Func<string, ModelInputBindings> Bindings(SampleRun run)
    {
        var byName = run.Models.ToDictionary(m => m.Name, m => m.Bindings, StringComparer.Ordinal);
        return name => byName.TryGetValue(name, out var bindings) ? bindings : ModelInputBindings.None;
    }
}
