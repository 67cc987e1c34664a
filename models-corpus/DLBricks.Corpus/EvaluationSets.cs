using DLBricks.Corpus.Manifests;

namespace DLBricks.Corpus;

/// <summary>Which half of the models a figure may use.</summary>
public enum EvaluationSet
{
    /// <summary>Models every default (statistic, rotation, iteration time, fixed-cost rule, layer source) is chosen on.</summary>
    Tuning,

    /// <summary>Models the headline accuracy is reported on; no default may be chosen by looking at them.</summary>
    Report,
}

/// <summary>
/// The split of the corpus and of the nine shared test models into a tuning set and a report set. The report set is listed
/// explicitly; everything else that is not a synthetic fixture is tuning. Within a family, sizes alternate between the sets,
/// so every family with several sizes is tuned on; the single-model families ShuffleNet, Inception v2, ZFNet and ResNeXt are
/// report-only, so the report set also holds network kinds no default was tuned on. A zoo-* manifest is in the same set as the
/// shared model it rebuilds, so one network never sits on both sides.
/// </summary>
public static class EvaluationSets
{
    /// <summary>Manifest names in the report set.</summary>
    public static IReadOnlySet<string> ReportManifests { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "bert-mini", "bert-medium", "densenet169", "gpt2-mini", "mobilenet_v1_0.75", "mobilenet_v2_0.5",
        "mobilenet_v2_1.4", "resnet50", "resnet101", "resnext50_32x4d", "squeezenet1_1", "unet-small", "vgg13", "vgg16_bn",
        "vgg19", "vit-small", "wide_resnet50_2", "zoo-inception_v2", "zoo-shufflenet", "zoo-vgg19", "zoo-zfnet512",
    };

    /// <summary>Shared models (file names without <c>.onnx</c> in <c>../shared/models/onnx-light</c>) in the report set.</summary>
    public static IReadOnlySet<string> ReportSharedModels { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "inception_v2", "shufflenet", "vgg19", "zfnet512",
    };

    /// <summary>The set of a corpus manifest; null for synthetic fixtures, which belong to neither.</summary>
    public static EvaluationSet? Of(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Task == ModelTask.Synthetic) return null;
        return ReportManifests.Contains(manifest.Name) ? EvaluationSet.Report : EvaluationSet.Tuning;
    }

    /// <summary>The set of a shared model, by its path or file name.</summary>
    public static EvaluationSet OfSharedModel(string pathOrName)
    {
        ArgumentNullException.ThrowIfNull(pathOrName);
        return ReportSharedModels.Contains(Path.GetFileNameWithoutExtension(pathOrName)) ? EvaluationSet.Report : EvaluationSet.Tuning;
    }
}
