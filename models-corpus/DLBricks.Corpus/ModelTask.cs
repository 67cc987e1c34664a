namespace DLBricks.Corpus;

/// <summary>What a corpus model is for; written in manifests in lower case with dashes.</summary>
public enum ModelTask
{
    /// <summary>Image classification.</summary>
    Classification,
    /// <summary>Feature extractor used as a detection backbone.</summary>
    DetectionBackbone,
    /// <summary>Dense per-pixel prediction.</summary>
    Segmentation,
    /// <summary>Language model or text encoder.</summary>
    Language,
    /// <summary>Small synthetic model for tests and benchmarks.</summary>
    Synthetic,
}
