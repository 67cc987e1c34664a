namespace DLBricks.Corpus;

/// <summary>Placeholder so the corpus project builds before the model builder lands.</summary>
public static class CorpusInfo
{
    /// <summary>Folder, relative to the repository root, where manifests live.</summary>
    public const string ManifestFolder = "models-corpus/manifests";
}
