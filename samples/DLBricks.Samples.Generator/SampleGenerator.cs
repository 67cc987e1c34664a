using System.Diagnostics;
using DLBricks.Benchmarking;
using DLBricks.Reporting;
using DLBricks.Samples.Generator.Steps;
using Spectre.Console;

namespace DLBricks.Samples.Generator;

/// <summary>How a sample run ended.</summary>
/// <param name="ExitCode">0 all models done; 1 some manifest or model failed (the others finished); 2 the run could not start or go on; 130 cancelled.</param>
/// <param name="Run">Everything the run collected; null when it could not start (no repository to find defaults in).</param>
/// <param name="Results">The printed rows.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
public sealed record SampleOutcome(int ExitCode, SampleRun? Run, SampleResults Results, TimeSpan Elapsed);

/// <summary>
/// The sample: the product's main job on the corpus's default models, as one pipeline of <see cref="ISampleStep"/>s —
/// load manifests, materialize models, check each model's split, validate (split at every G, benchmark bricks and models
/// into SQLite, estimate), count repetition, write the report folder, print the tables.
/// </summary>
public sealed class SampleGenerator
{
    /// <summary>Exit code when every model went through.</summary>
    public const int Success = 0;

    /// <summary>Exit code when some manifests or models failed and the rest finished.</summary>
    public const int SomeFailed = 1;

    /// <summary>Exit code when the run could not start or go on at all.</summary>
    public const int SetupFailed = 2;

    /// <summary>Exit code after Ctrl+C.</summary>
    public const int Cancelled = 130;

    private readonly IAnsiConsole _console;
    private readonly TextWriter _log;

    /// <summary>Creates a generator printing tables to <paramref name="console"/> and progress lines to <paramref name="log"/>.</summary>
    public SampleGenerator(IAnsiConsole console, TextWriter log)
    {
        _console = console;
        _log = log;
    }

    /// <summary>
    /// The pipeline, in order. A new stage is one more entry here: a class implementing <see cref="ISampleStep"/> that reads what
    /// the earlier steps left in <see cref="SampleRun"/> (e.g. a step emitting a BenchmarkDotNet suite from the split folders
    /// and the validation report goes after <see cref="WriteReportStep"/>).
    /// </summary>
    private static IReadOnlyList<ISampleStep> Pipeline(SampleOptions options, Func<TimeSpan> elapsed) =>
        options.Audit ? [new LoadManifestsStep(), new MaterializeModelsStep(), new AuditSplitsStep()]
        : options.ReuseDemoFamily is not null ? [new LoadManifestsStep(), new MaterializeModelsStep(), new ReuseDemoStep()]
        : [
        new LoadManifestsStep(),
        new MaterializeModelsStep(),
        new CheckSplitsStep(),
        new ValidateStep(),
        new RepetitionStep(),
        new WriteReportStep(elapsed),
        new PrintResultsStep(),
        ];

    /// <summary>Runs the sample; never throws for bad input, failing models or cancellation (see <see cref="SampleOutcome.ExitCode"/>).</summary>
    public SampleOutcome Run(SampleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var progress = new LogProgress(_log, clock);
        SampleRun run;
        try
        {
            run = new SampleRun(options, RepositoryLocator.FindRoot(), _console, progress, cancellationToken);
        }
        catch (SampleSetupException e)
        {
            _log.WriteLine($"error: {e.Message}");
            return new SampleOutcome(SetupFailed, null, new SampleResults([], [], null), clock.Elapsed);
        }

        var exitCode = Success;
        try
        {
            foreach (var step in Pipeline(options, () => clock.Elapsed))
            {
                cancellationToken.ThrowIfCancellationRequested();
                step.Run(run);
            }
        }
        catch (OperationCanceledException)
        {
            _log.WriteLine($"cancelled after {clock.Elapsed:mm\\:ss}; bricks measured so far are kept in {run.DatabasePath} and are reused when you run again.");
            exitCode = Cancelled;
        }
        catch (Exception e) when (e is SampleSetupException or ExecutionProviderUnavailableException or InvalidModelException or InvalidDataException
            or IOException or UnauthorizedAccessException)
        {
            _log.WriteLine($"error: {e.Message}");
            exitCode = SetupFailed;
        }

        foreach (var note in run.Notes) _log.WriteLine($"note: {note}");
        if (run.Failures.Count > 0)
        {
            _log.WriteLine($"{run.Failures.Count} failed:");
            foreach (var failure in run.Failures) _log.WriteLine($"  {failure}");
            if (exitCode == Success) exitCode = SomeFailed;
        }
        if ((exitCode is Success or SomeFailed) && run.Report is null && run.Audit is null && run.ReuseDemo is null)
        {
            _log.WriteLine("error: no model could be validated.");
            exitCode = SetupFailed;
        }
        if (exitCode is Success or SomeFailed)
            _log.WriteLine($"done in {clock.Elapsed:mm\\:ss}; report in {run.ReportDirectory}");
        return new SampleOutcome(exitCode, run, SampleResults.Of(run), clock.Elapsed);
    }

    /// <summary>Progress lines with the elapsed time, written as they come (not posted to a thread pool like <see cref="Progress{T}"/>).</summary>
    private sealed class LogProgress(TextWriter log, Stopwatch clock) : IProgress<string>
    {
        public void Report(string value)
        {
            lock (log) log.WriteLine($"[{clock.Elapsed:mm\\:ss}] {value}");
        }
    }
}
