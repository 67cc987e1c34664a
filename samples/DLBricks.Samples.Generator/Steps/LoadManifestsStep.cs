using DLBricks.Corpus;
using DLBricks.Corpus.Manifests;

namespace DLBricks.Samples.Generator.Steps;

/// <summary>
/// Reads the manifests one file at a time (a broken manifest costs only its own model) and selects the default subset,
/// every real model (<c>--full</c>: all but the synthetic test fixtures) or the named ones (<c>--models</c>).
/// </summary>
internal sealed class LoadManifestsStep : ISampleStep
{
    /// <inheritdoc />
    public string Name => "manifests";

    /// <summary>
    /// The manifests a run without <c>--models</c> takes: the default subset or every real model, then only those of
    /// <see cref="SampleOptions.Set"/> when one is given; ordered by name.
    /// </summary>
    public static IReadOnlyList<ModelManifest> Select(IEnumerable<ModelManifest> manifests, SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        ArgumentNullException.ThrowIfNull(options);
        return manifests.Where(m => options.Full ? m.Task != ModelTask.Synthetic : m.IsDefault)
            .Where(m => options.Set is not { } set || EvaluationSets.Of(m) == set)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <inheritdoc />
    public void Run(SampleRun run)
    {
        if (!Directory.Exists(run.ManifestsDirectory))
            throw new SampleSetupException($"{run.ManifestsDirectory}: manifest folder not found (pass --manifests DIR).");

        var files = Directory.EnumerateFiles(run.ManifestsDirectory, "*.yaml").Concat(Directory.EnumerateFiles(run.ManifestsDirectory, "*.yml"))
            .Order(StringComparer.Ordinal).ToList();
        var loaded = new Dictionary<string, ModelManifest>(StringComparer.Ordinal);
        var broken = new List<(string File, string Reason)>();
        foreach (var file in files)
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                var manifest = ManifestParser.ParseFile(file);
                if (loaded.TryGetValue(manifest.Name, out var other))
                    broken.Add((file, $"{file}: name '{manifest.Name}' is already used by {other.ManifestPath}"));
                else
                    loaded[manifest.Name] = manifest;
            }
            catch (ManifestException e)
            {
                broken.Add((file, e.Message));
            }
        }

        var wanted = run.Options.Models;
        if (wanted is not null)
        {
            foreach (var name in wanted)
            {
                if (loaded.TryGetValue(name, out var manifest)) run.Manifests.Add(manifest);
                else if (broken.FirstOrDefault(b => Path.GetFileNameWithoutExtension(b.File) == name) is { File: not null } bad) run.Failures.Add(bad.Reason);
                else run.Failures.Add($"{name}: no manifest of that name in {run.ManifestsDirectory}");
            }
        }
        else
        {
            // A broken file cannot say whether it belongs to the default subset; report it rather than guess.
            run.Failures.AddRange(broken.Select(b => b.Reason));
            // Synthetic fixtures (If/Loop, privacy probes, 100k-layer chains) exist for tests and split benchmarks; a latency
            // table over them says nothing about real networks, so --full means every real model and --models reaches the rest.
            run.Manifests.AddRange(Select(loaded.Values, run.Options));
        }
        foreach (var failure in run.Failures) run.Progress.Report("FAILED " + failure);
        var selection = wanted is not null ? "--models" : run.Options.Full ? "all but synthetic fixtures" : "default subset";
        if (wanted is null && run.Options.Set is { } chosen) selection += $", {chosen.ToString().ToLowerInvariant()} set";
        run.Progress.Report($"{run.Manifests.Count} manifests selected from {run.ManifestsDirectory} ({selection})");
    }
}
