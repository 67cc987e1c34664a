namespace DLBricks.Tests.Corpus;

/// <summary>Locations of the model corpus in the repository (<see cref="TestPaths.RepoRoot"/>).</summary>
internal static class CorpusPaths
{
    public static string RepoRoot => TestPaths.RepoRoot;

    public static string Manifests => Path.Combine(RepoRoot, "models-corpus", "manifests");

    public static string SharedLightModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models", "onnx-light"));
}
