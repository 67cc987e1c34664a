namespace DLBricks.Reporting;

/// <summary>Writes every output of a validation into one folder: <c>validation.json</c>, <c>validation.md</c> and the three figures.</summary>
public static class ValidationReportWriter
{
    /// <summary>File name of the JSON report.</summary>
    public const string JsonFile = "validation.json";

    /// <summary>File name of the Markdown report.</summary>
    public const string MarkdownFile = "validation.md";

    /// <summary>Writes all outputs and returns their paths (JSON first).</summary>
    public static IReadOnlyList<string> WriteAll(ValidationReport report, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, JsonFile);
        var markdown = Path.Combine(folder, MarkdownFile);
        ValidationReportJsonWriter.Write(report, json);
        ValidationReportMarkdownWriter.Write(report, markdown);
        return [json, markdown, .. ValidationPlots.WriteAll(report, folder)];
    }
}
