namespace DLBricks.Emit;

/// <summary>
/// The files of an emitted suite other than the bricks, embedded in this assembly (docs/emit.md): the suite's own files from
/// <c>Emit/Templates/</c> and, under <c>DLBricks/</c>, the library's portable source files (<c>*.Portable.cs</c>) as they are,
/// so the suite and <c>dlbricks bench</c> share one copy of the input generator, the run path and the machine description.
/// </summary>
internal static class SuiteTemplates
{
    /// <summary>Name of the generated project (and its assembly).</summary>
    public const string ProjectName = "BrickBenchmarks";

    /// <summary>Resource name prefix the library's project file gives every suite file.</summary>
    private const string ResourcePrefix = "DLBricks.Emit.Suite/";

    /// <summary>Ending of a file whose placeholders the emitter fills in; it is dropped from the written name.</summary>
    private const string TemplateEnding = ".template";

    /// <summary>
    /// Every file of the suite: its path inside the suite folder ('/'-separated) and its text, with the package versions filled
    /// into the <c>{{Name}}</c> placeholders of the <c>.template</c> files.
    /// </summary>
    public static IReadOnlyList<(string Path, string Text)> Files(string benchmarkDotNetVersion, string onnxRuntimeVersion)
    {
        var assembly = typeof(SuiteTemplates).Assembly;
        var files = new List<(string, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            var path = name[ResourcePrefix.Length..];
            var text = reader.ReadToEnd().ReplaceLineEndings("\n");
            if (path.EndsWith(TemplateEnding, StringComparison.Ordinal))
            {
                path = path[..^TemplateEnding.Length];
                text = text.Replace("{{BenchmarkDotNetVersion}}", benchmarkDotNetVersion).Replace("{{OnnxRuntimeVersion}}", onnxRuntimeVersion);
            }
            files.Add((path, text));
        }
        return files;
    }
}
