using System.Diagnostics;
using System.Globalization;
using System.Text;
using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Graph;
using DLBricks.Storage;
using DLBricks.Validation;
using Spectre.Console;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// <c>--reuse-demo FAMILY</c>: what a shared brick store is for. Benchmarks the bricks of the selected models minus the
/// family's into a fresh store, then adds the family's models the way <c>dlbricks estimate --bench-missing</c> does (split
/// privately, benchmark only the bricks the store lacks, estimate) and reports per added model the brick cache hit rate and
/// the measuring time the stored bricks saved. Writes <c>report/reuse-demo.md</c>.
/// </summary>
public sealed class ReuseDemoStep : ISampleStep
{
    /// <summary>File name of the demo's report in the report folder.</summary>
    public const string FileName = "reuse-demo.md";

    /// <inheritdoc />
    public string Name => "reuse demo";

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        var family = run.Options.ReuseDemoFamily!;
        var added = run.Models.Where(m => string.Equals(m.Manifest.Family, family, StringComparison.OrdinalIgnoreCase)).ToList();
        var basis = run.Models.Except(added).ToList();
        if (added.Count == 0 || basis.Count == 0)
            throw new SampleSetupException(
                $"--reuse-demo {family}: the selection holds {added.Count} model(s) of that family and {basis.Count} of the others; " +
                $"both must be non-empty (families here: {string.Join(", ", run.Models.Select(m => m.Manifest.Family).Distinct().Order())}).");

        var job = SampleSession.JobFor(run.Options.Rigor);
        var configuration = SampleSession.ConfigurationFor(job);
        SessionOptionsFactory.EnsureAvailable(configuration);
        run.Job = job;
        run.Configuration = configuration;
        var g = run.Options.Granularities.Min();
        var folder = Path.Combine(run.OutputDirectory, "reuse-demo");
        // A fresh store: a store that ever held the family's own bricks would report hits the demo did not earn.
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var byName = run.Models.ToDictionary(m => m.Name, m => m.Bindings, StringComparer.Ordinal);
        Func<string, ModelInputBindings> bindings = name => byName.TryGetValue(name, out var b) ? b : ModelInputBindings.None;
        var splitOptions = new SplitOptions { Granularity = g, Bindings = bindings, Cache = run.GraphCache };

        using var store = new SqliteResultStore(Path.Combine(folder, "bricks.db"));
        var engine = new EngineMeasurement(store, configuration, job, bindings);
        run.Fingerprint = engine.System;

        run.Progress.Report($"reuse demo: benchmarking the bricks of {basis.Count} models without family '{family}' at G={g}");
        var clock = Stopwatch.StartNew();
        var split = SplitRunner.Run(basis.Select(m => m.Path).ToList(), splitOptions, Path.Combine(folder, $"split-g{g}"), run.Progress, run.CancellationToken);
        foreach (var failure in split.Failures) run.Fail(failure.Model, $"split: {failure.Reason}");
        engine.MeasureBricks(split.Catalog.Bricks.Select(b => new BrickLocation(split.OutputDirectory!, b)).ToList(), run.Progress, run.CancellationToken);
        var basisTime = clock.Elapsed;

        var rows = new List<ReuseDemoRow>();
        foreach (var model in added)
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            run.Progress.Report($"reuse demo: adding {model.Name} (split privately, benchmark only the missing bricks)");
            clock.Restart();
            try
            {
                var modelSplit = SplitRunner.SplitInMemory(model.Path, splitOptions with { Bindings = _ => model.Bindings });
                var reuse = EstimateRunner.BenchMissing(modelSplit, splitOptions.Source.ToInfo(), engine, store, run.Progress, run.CancellationToken);
                rows.Add(new ReuseDemoRow(reuse, clock.Elapsed));
                run.Progress.Report(reuse.ToString());
            }
            catch (Exception e) when (ModelFailure.IsPerModel(e))
            {
                run.Fail(model.Name, e.Message.ReplaceLineEndings(" "));
            }
        }
        run.ReuseDemo = new ReuseDemoResult(family, g, basis.Count, split.UniqueBricks, basisTime, rows);

        Directory.CreateDirectory(run.ReportDirectory);
        var path = Path.Combine(run.ReportDirectory, FileName);
        File.WriteAllText(path + ".tmp", Render(run.ReuseDemo));
        File.Move(path + ".tmp", path, overwrite: true);
        run.WrittenFiles.Add(path);
        run.Progress.Report($"wrote {path}");

        var table = new Table().Title($"adding family '{Markup.Escape(family)}' to a store holding the bricks of {basis.Count} other models (G={g})")
            .AddColumns("model", "unique bricks", "already measured", "hit rate", "measured now", "time saved ≥ s", "add time s");
        foreach (var row in rows)
            table.AddRow(Markup.Escape(row.Reuse.Model), Int(row.Reuse.UniqueBricks), Int(row.Reuse.AlreadyMeasured), Pct(row.Reuse.HitRate),
                Int(row.Reuse.Missing), Sec(row.Reuse.SavedMeasuredMs / 1000), Sec(row.Elapsed.TotalSeconds));
        run.Console.Write(table);
        run.Console.WriteLine(Summary(run.ReuseDemo));
    }

    /// <summary>The demo as Markdown.</summary>
    public static string Render(ReuseDemoResult demo)
    {
        var md = new StringBuilder();
        md.AppendLine("# Brick reuse: adding a model family to a store");
        md.AppendLine();
        md.AppendLine(FormattableString.Invariant(
            $"Store filled with the {demo.BasisUniqueBricks} unique bricks (G={demo.G}) of {demo.BasisModels} models outside family '{demo.Family}' in {demo.BasisTime.TotalSeconds:0.0} s; then each model of the family added as `dlbricks estimate --bench-missing` does."));
        md.AppendLine();
        md.AppendLine("| model | unique bricks | already measured | hit rate | measured now | time saved ≥ (s) | add time (s) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in demo.Rows)
            md.AppendLine($"| {row.Reuse.Model} | {Int(row.Reuse.UniqueBricks)} | {Int(row.Reuse.AlreadyMeasured)} | {Pct(row.Reuse.HitRate)} | {Int(row.Reuse.Missing)} | {Sec(row.Reuse.SavedMeasuredMs / 1000)} | {Sec(row.Elapsed.TotalSeconds)} |");
        md.AppendLine();
        md.AppendLine(Summary(demo));
        md.AppendLine();
        md.AppendLine("Time saved is the stored bricks' mean latency × measured iterations: a lower bound, without each brick's fixed cost " +
                      "(BenchmarkDotNet setup, pilot, warmup, session creation). A model's hits include bricks measured for the family's models added before it.");
        return md.ToString();
    }

    private static string Summary(ReuseDemoResult demo)
    {
        var unique = demo.Rows.Sum(r => r.Reuse.UniqueBricks);
        var hits = demo.Rows.Sum(r => r.Reuse.AlreadyMeasured);
        return FormattableString.Invariant(
            $"family '{demo.Family}': {hits} of {unique} unique bricks per model already measured (hit rate {BrickReuse.Percent(unique == 0 ? 1 : (double)hits / unique)}); time saved ≥ {demo.Rows.Sum(r => r.Reuse.SavedMeasuredMs) / 1000:0.00} s; adding the family took {demo.Rows.Sum(r => r.Elapsed.TotalSeconds):0.0} s.");
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Pct(double value) => BrickReuse.Percent(value);
    private static string Sec(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>One model added in the reuse demo.</summary>
/// <param name="Reuse">Its brick cache hit rate and time saved.</param>
/// <param name="Elapsed">Wall time of adding it: private split, benchmarking its missing bricks.</param>
public sealed record ReuseDemoRow(BrickReuse Reuse, TimeSpan Elapsed);

/// <summary>What <c>--reuse-demo</c> found.</summary>
/// <param name="Family">The family added last.</param>
/// <param name="G">Granularity.</param>
/// <param name="BasisModels">Models benchmarked first (the selection minus the family).</param>
/// <param name="BasisUniqueBricks">Their unique bricks.</param>
/// <param name="BasisTime">Wall time of splitting and benchmarking them.</param>
/// <param name="Rows">The family's models, in the order added.</param>
public sealed record ReuseDemoResult(string Family, int G, int BasisModels, int BasisUniqueBricks, TimeSpan BasisTime, IReadOnlyList<ReuseDemoRow> Rows);
