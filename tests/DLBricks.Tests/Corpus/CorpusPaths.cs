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
