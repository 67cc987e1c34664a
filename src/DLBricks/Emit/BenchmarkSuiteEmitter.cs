using System.Text.Json;
using DLBricks.Benchmarking;
using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Emit;

/// <summary>
/// Writes a standalone BenchmarkDotNet project that benchmarks every brick of a brick set (<c>dlbricks emit</c>). The project needs
/// only the .NET SDK, BenchmarkDotNet and ONNX Runtime: it carries the bricks, the catalog's input specs and its own synthetic-input
/// and session code, so a system provider can run it with the tools they know and send back BenchmarkDotNet's JSON export plus the
/// <c>system.json</c> the suite writes, which <see cref="ResultImporter"/> turns into stored brick results.
/// </summary>
public static class BenchmarkSuiteEmitter
{
    private const string ArtifactsFolder = "BenchmarkDotNet.Artifacts";

    /// <summary>Emits the suite for the brick set in <paramref name="catalogDir"/> (a split output folder or its catalog.json) into <paramref name="suiteDir"/>.</summary>
    /// <exception cref="InvalidDataException">The catalog is missing or unusable, or a brick file is missing; the message names the file.</exception>
    /// <exception cref="IOException">The target folder is not empty (and not an earlier suite to overwrite).</exception>
    /// <exception cref="ArgumentException">An option value is not recognised.</exception>
    public static EmittedSuite Emit(string catalogDir, string suiteDir, SuiteOptions? options = null)
    {
        options ??= new SuiteOptions();
        var configuration = options.ToRunConfiguration();
        // Reject bad option values here rather than on the provider's machine.
        SessionOptionsFactory.EnsureAvailable(configuration);

        var catalogPath = Directory.Exists(catalogDir) ? Path.Combine(catalogDir, BrickCatalog.FileName) : catalogDir;
        var catalog = BrickCatalog.Load(catalogPath);
        // Bricks cut from a runtime-optimized model are already what ONNX Runtime executes; re-optimizing them alone would add
        // layout conversions the model never pays (the same rule as dlbricks bench).
        if (catalog.Source.Kind == "optimized")
            options = options with { OptimizationLevel = "disabled" };
        var source = Path.GetDirectoryName(Path.GetFullPath(catalogPath))!;
        var bricks = catalog.Bricks.DistinctBy(b => b.Hash).ToList();
        if (bricks.Count == 0)
            throw new InvalidDataException($"{catalogPath}: the catalog lists no bricks.");
        var files = bricks.Select(b => (Brick: b, Path: BrickFile(catalogPath, source, b))).ToList();

        var target = Path.GetFullPath(suiteDir);
        CheckTarget(target, options.Overwrite);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.emit-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            long bytes = 0;
            foreach (var (brick, path) in files)
            {
                var copy = Path.Combine(staging, brick.File);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(path, copy);
                bytes += new FileInfo(copy).Length;
            }
            // The catalog travels verbatim: it is the public description of the brick set the provider was given.
            File.Copy(catalogPath, Path.Combine(staging, BrickCatalog.FileName));
            WriteSources(staging, configuration, bricks.Count);
            Publish(staging, target);
            return new EmittedSuite(target, Path.Combine(target, SuiteTemplates.ProjectName + ".csproj"), bricks.Count, bytes, configuration);
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    private static string BrickFile(string catalogPath, string source, BrickEntry brick)
    {
        var path = Path.GetFullPath(Path.Combine(source, brick.File));
        // The file name is copied into the suite as is, so it must stay inside the brick set.
        if (!path.StartsWith(source + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"{catalogPath}: brick {brick.Hash} points outside the catalog folder ({brick.File}).");
        if (!File.Exists(path))
            throw new InvalidDataException($"{catalogPath}: brick file {brick.File} is missing.");
        foreach (var input in brick.Inputs)
        {
            try
            {
                SyntheticInputs.ParseElementType(input.ElementType);
            }
            catch (NotSupportedException e)
            {
                throw new InvalidDataException($"{catalogPath}: brick {brick.Hash} input {input.Name}: {e.Message}", e);
            }
            if (input.Shape.Any(d => d < 0))
                throw new InvalidDataException($"{catalogPath}: brick {brick.Hash} input {input.Name} has an unknown dimension.");
        }
        return path;
    }

    private static void CheckTarget(string target, bool overwrite)
    {
        if (File.Exists(target))
            throw new IOException($"{target}: a file is in the way; give a folder path for the suite.");
        if (!Directory.Exists(target) || !Directory.EnumerateFileSystemEntries(target).Any())
            return;
        if (!IsSuite(target))
            throw new IOException($"{target}: folder is not empty and holds no emitted suite; choose an empty or new folder.");
        if (!overwrite)
            throw new IOException($"{target}: an emitted suite is already there; pass --force to replace it (its BenchmarkDotNet.Artifacts are kept).");
    }

    private static bool IsSuite(string folder)
        => File.Exists(Path.Combine(folder, EmittedSuite.SettingsFileName)) && File.Exists(Path.Combine(folder, SuiteTemplates.ProjectName + ".csproj"));

    /// <summary>Moves the finished staging folder into place; an earlier suite's results survive the swap.</summary>
    private static void Publish(string staging, string target)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        var artifacts = Path.Combine(target, ArtifactsFolder);
        if (Directory.Exists(artifacts))
            Directory.Move(artifacts, Path.Combine(staging, ArtifactsFolder));
        var retired = target + $".old-{Guid.NewGuid():N}";
        Directory.Move(target, retired);
        Directory.Move(staging, target);
        Directory.Delete(retired, recursive: true);
    }

    private static void WriteSources(string folder, RunConfiguration configuration, int brickCount)
    {
        void Write(string name, string text) => File.WriteAllText(Path.Combine(folder, name), text.ReplaceLineEndings("\n"));

        foreach (var (path, text) in SuiteTemplates.Files(EmittedSuite.BenchmarkDotNetVersion, EmittedSuite.OnnxRuntimeVersion))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, path))!);
            Write(path, text);
        }
        var calibration = new SuiteCalibration(EmittedSuite.CalibrationCase, "calibration/identity.onnx",
            [new BrickTensor("x", "float", [1])], [new BrickTensor("y", "float", [1])]);
        Directory.CreateDirectory(Path.Combine(folder, "calibration"));
        File.WriteAllBytes(Path.Combine(folder, calibration.File), CalibrationModel.Identity());
        var settings = new SuiteSettingsFile(SuiteSettingsFile.CurrentFormatVersion, configuration, calibration);
        Write(EmittedSuite.SettingsFileName, JsonSerializer.Serialize(settings, CatalogJson.Options) + "\n");
        Write("README.md", SuiteReadme.Text(brickCount, configuration));
    }
}

/// <summary>The content of <c>suite.json</c>: how the suite configures sessions, and its calibration case.</summary>
/// <param name="FormatVersion">Format of this file.</param>
/// <param name="Configuration">Session settings and job name (<see cref="EmittedSuite.JobName"/>).</param>
/// <param name="Calibration">The empty (Identity) model run as one more case, in the catalog's brick shape.</param>
internal sealed record SuiteSettingsFile(int FormatVersion, RunConfiguration Configuration, SuiteCalibration Calibration)
{
    public const int CurrentFormatVersion = 1;
}

/// <summary>The calibration case of a suite, described like a catalog brick.</summary>
internal sealed record SuiteCalibration(string Hash, string File, IReadOnlyList<BrickTensor> Inputs, IReadOnlyList<BrickTensor> Outputs);
