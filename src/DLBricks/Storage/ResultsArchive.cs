using System.Text.Json;
using System.Text.Json.Serialization;
using DLBricks.Benchmarking;

namespace DLBricks.Storage;

/// <summary>The harness cost stored for one system and configuration, with when it was measured.</summary>
/// <param name="SystemKey">Key of the system.</param>
/// <param name="ConfigurationKey">Key of the configuration.</param>
/// <param name="Statistics">Per-call cost of the empty model.</param>
/// <param name="MeasuredAt">When it was measured.</param>
internal sealed record StoredCalibration(string SystemKey, string ConfigurationKey, LatencyStatistics Statistics, DateTimeOffset MeasuredAt);

/// <summary>How many rows an import added or replaced, per table.</summary>
internal sealed record ImportCounts(int Systems, int Configurations, int Results, int Calibrations)
{
    /// <summary>Rows added or replaced in all tables.</summary>
    public int Total => Systems + Configurations + Results + Calibrations;
}

/// <summary>
/// The whole content of a result store as one JSON document, to move results between stores (<c>dlbricks results export</c>
/// and <c>import</c>): a laptop's SQLite file into the team's PostgreSQL store, or back.
/// </summary>
/// <param name="FormatVersion">Version of this file format.</param>
/// <param name="ExportedAt">When the archive was written.</param>
/// <param name="Systems">Every system of the store.</param>
/// <param name="Configurations">Every configuration of the store.</param>
/// <param name="Results">Every brick result.</param>
/// <param name="Calibrations">Every calibration.</param>
internal sealed record ResultsArchive(
    int FormatVersion,
    DateTimeOffset ExportedAt,
    IReadOnlyList<SystemFingerprint> Systems,
    IReadOnlyList<RunConfiguration> Configurations,
    IReadOnlyList<BrickResult> Results,
    IReadOnlyList<StoredCalibration> Calibrations)
{
    /// <summary>Format version this code writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Serializer options: snake_case names, NaN statistics written as <c>"NaN"</c>.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the archive to <paramref name="path"/> through a temporary file, so a failure leaves no partial file.</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        var staging = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = File.Create(staging))
                JsonSerializer.Serialize(stream, this, JsonOptions);
            File.Move(staging, full, overwrite: true);
        }
        finally
        {
            File.Delete(staging);
        }
    }

    /// <summary>Reads and checks an archive.</summary>
    /// <exception cref="InvalidDataException">Missing, malformed or inconsistent file; the message names it.</exception>
    public static ResultsArchive Load(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: no such results file.");
        ResultsArchive? archive;
        try
        {
            using var stream = File.OpenRead(path);
            archive = JsonSerializer.Deserialize<ResultsArchive>(stream, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a results file ({e.Message}).", e);
        }
        if (archive is null)
            throw new InvalidDataException($"{path}: empty results file.");
        if (archive.FormatVersion != CurrentFormatVersion)
            throw new InvalidDataException($"{path}: results file format {archive.FormatVersion}, this dlbricks reads {CurrentFormatVersion}.");
        try
        {
            archive.Validate();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return archive;
    }

    /// <summary>Checks that every result and calibration refers to a system and configuration the archive carries.</summary>
    /// <exception cref="InvalidDataException">The first dangling reference.</exception>
    public void Validate()
    {
        if (Systems is null || Configurations is null || Results is null || Calibrations is null)
            throw new InvalidDataException("systems, configurations, results and calibrations are all required.");
        var systems = Systems.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var configurations = Configurations.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (what, system, configuration) in Results.Select(r => ($"result {r.BrickHash}", r.SystemKey, r.ConfigurationKey))
                     .Concat(Calibrations.Select(c => ("calibration", c.SystemKey, c.ConfigurationKey))))
        {
            if (!systems.Contains(system))
                throw new InvalidDataException($"{what} refers to system {system}, which the file does not describe.");
            if (!configurations.Contains(configuration))
                throw new InvalidDataException($"{what} refers to configuration {configuration}, which the file does not describe.");
        }
    }
}
