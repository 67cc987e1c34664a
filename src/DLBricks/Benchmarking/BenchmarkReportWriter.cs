using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace DLBricks.Benchmarking;

/// <summary>
/// Keeps BenchmarkDotNet's own exporter output for a run in one folder: <c>report.md</c> (GitHub Markdown, one section per
/// model), <c>report.csv</c> (one header, one row per model) and <c>report.jsonl</c> (one compact JSON summary per line).
/// One file per format rather than one per brick keeps thousands of bricks from becoming thousands of files.
/// </summary>
internal sealed class BenchmarkReportWriter : IDisposable
{
    private readonly StreamWriter _markdown;
    private readonly StreamWriter _csv;
    private readonly StreamWriter _json;
    private readonly IExporter _jsonExporter = JsonExporter.Custom(indentJson: false, excludeMeasurements: false);
    private bool _csvHeaderWritten;

    /// <summary>Creates (or appends to) the report files in <paramref name="folder"/>.</summary>
    public BenchmarkReportWriter(string folder)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
        var csvPath = Path.Combine(Folder, "report.csv");
        _csvHeaderWritten = File.Exists(csvPath) && new FileInfo(csvPath).Length > 0;
        _markdown = new StreamWriter(Path.Combine(Folder, "report.md"), append: true);
        _csv = new StreamWriter(csvPath, append: true);
        _json = new StreamWriter(Path.Combine(Folder, "report.jsonl"), append: true);
    }

    /// <summary>A new folder <c>runs/&lt;UTC timestamp&gt;</c> under <paramref name="parent"/>.</summary>
    public static string NewRunFolder(string parent)
        => Path.Combine(parent, "runs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    /// <summary>Appends the exporters' output for one BenchmarkDotNet summary and flushes, so a killed run keeps what it finished.</summary>
    public void Append(string label, Summary summary)
    {
        _markdown.WriteLine($"## {label}");
        _markdown.WriteLine();
        MarkdownExporter.GitHub.ExportToLog(summary, new StreamLogger(_markdown));
        _markdown.WriteLine();

        var csv = new StringWriter();
        CsvExporter.Default.ExportToLog(summary, new TextLogger(csv));
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines.Skip(_csvHeaderWritten ? 1 : 0))
            _csv.WriteLine(line.TrimEnd('\r'));
        _csvHeaderWritten = true;

        var json = new StringWriter();
        _jsonExporter.ExportToLog(summary, new TextLogger(json));
        _json.WriteLine(json.ToString().ReplaceLineEndings(" ").Trim());

        _markdown.Flush();
        _csv.Flush();
        _json.Flush();
    }

    /// <summary>Closes the report files.</summary>
    public void Dispose()
    {
        _markdown.Dispose();
        _csv.Dispose();
        _json.Dispose();
    }

    /// <summary>A BenchmarkDotNet logger that writes into a <see cref="TextWriter"/>.</summary>
    private sealed class TextLogger(TextWriter writer) : ILogger
    {
        public string Id => nameof(TextLogger);
        public int Priority => 0;
        public void Write(LogKind logKind, string text) => writer.Write(text);
        public void WriteLine() => writer.WriteLine();
        public void WriteLine(LogKind logKind, string text) => writer.WriteLine(text);
        public void Flush() => writer.Flush();
    }
}
