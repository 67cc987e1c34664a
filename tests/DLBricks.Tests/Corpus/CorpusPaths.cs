namespace DLBricks.Tests.Corpus;

/// <summary>Locations in the repository, found by walking up from the test binaries to DLBricks.sln.</summary>
internal static class CorpusPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Manifests => Path.Combine(RepoRoot, "models-corpus", "manifests");

    public static string SharedLightModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models", "onnx-light"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DLBricks.sln"))) return dir.FullName;
        throw new InvalidOperationException("DLBricks.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dlbricks-corpus-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
