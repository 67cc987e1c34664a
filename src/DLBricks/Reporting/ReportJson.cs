using System.Text.Json;
using System.Text.Json.Serialization;

namespace DLBricks.Reporting;

/// <summary>JSON conventions of the reports: snake_case keys, indented, enums as strings, NaN written as a string rather than failing.</summary>
internal static class ReportJson
{
    /// <summary>Serializer options for validation and estimate reports.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}

/// <summary>Writes a <see cref="ValidationReport"/> as JSON (fixed keys: <c>models</c>, <c>summary</c>, …).</summary>
internal static class ValidationReportJsonWriter
{
    /// <summary>Serializes the report.</summary>
    public static string ToJson(ValidationReport report) => JsonSerializer.Serialize(report, ReportJson.Options);

    /// <summary>Writes the report to <paramref name="path"/> atomically.</summary>
    public static void Write(ValidationReport report, string path) => AtomicFile.WriteAllText(path, ToJson(report));

    /// <summary>Reads a report written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is missing or not a report; the message names it.</exception>
    public static ValidationReport Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path}: report not found.");
        try
        {
            return JsonSerializer.Deserialize<ValidationReport>(File.ReadAllText(path), ReportJson.Options)
                   ?? throw new InvalidDataException($"{path}: empty report.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a validation report ({e.Message}).", e);
        }
    }
}
