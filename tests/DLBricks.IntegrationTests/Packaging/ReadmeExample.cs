namespace DLBricks.Tests.Packaging;

/// <summary>The C# example of README.md ("Use it from C#"), exactly as written there.</summary>
internal static class ReadmeExample
{
    public const string Heading = "## Use it from C#";

    /// <summary>The first <c>csharp</c> code block under <see cref="Heading"/>.</summary>
    public static string CSharp()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        var section = readme.IndexOf(Heading + "\n", StringComparison.Ordinal);
        if (section < 0) throw new InvalidOperationException($"README.md has no '{Heading}' section.");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"README.md: no ```csharp block under '{Heading}'.");
        start += "```csharp\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }
}
