namespace DLBricks.Samples.Generator;

/// <summary>Finds the repository (the folder holding DLBricks.sln), so the sample works from any folder inside the clone.</summary>
internal static class RepositoryLocator
{
    /// <summary>Solution file that marks the repository root.</summary>
    public const string Marker = "DLBricks.sln";

    /// <summary>
    /// The root above the current directory, else above the binaries (a <c>dotnet run</c> from outside the clone still
    /// finds its own repository); null when neither is inside one.
    /// </summary>
    public static string? FindRoot() => FindAbove(Environment.CurrentDirectory) ?? FindAbove(AppContext.BaseDirectory);

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds <see cref="Marker"/>.</summary>
    public static string? FindAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, Marker))) return dir.FullName;
        return null;
    }
}
