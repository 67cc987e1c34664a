namespace DLBricks.Corpus;

/// <summary>Well-known corpus locations, relative to the repository root.</summary>
public static class CorpusInfo
{
    /// <summary>Folder, relative to the repository root, where manifests live.</summary>
    public const string ManifestFolder = "models-corpus/manifests";

    /// <summary>Folder, relative to the repository root, where generated models are cached (git-ignored).</summary>
    public const string CacheFolder = ".cache/models";
}
