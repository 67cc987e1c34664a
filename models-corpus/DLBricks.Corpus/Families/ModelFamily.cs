using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>A named family of generated models: its variants and how to build one from a manifest's config map.</summary>
/// <param name="Name">Family name as written in manifests (<c>generated: name/variant</c>).</param>
/// <param name="Task">Default task of the family.</param>
/// <param name="Variants">Known variant names.</param>
/// <param name="Builder">Builds a variant; reads extra options from the <see cref="FamilyOptions"/>.</param>
public sealed record ModelFamily(
    string Name,
    ModelTask Task,
    IReadOnlyList<string> Variants,
    Func<string, FamilyOptions, BuildSettings, ModelProto> Builder)
{
    /// <summary>Builds <paramref name="variant"/>; unknown variants or unread option keys throw <see cref="FormatException"/>.</summary>
    public ModelProto Build(string variant, FamilyOptions? options = null, BuildSettings? settings = null)
    {
        if (!Variants.Contains(variant, StringComparer.Ordinal))
            throw new FormatException($"family '{Name}' has no variant '{variant}' (known: {string.Join(", ", Variants)})");
        options ??= FamilyOptions.Empty;
        var model = Builder(variant, options, settings ?? BuildSettings.Default);
        options.EnsureAllRead(Name);
        return model;
    }
}

/// <summary>Registry of every generated family.</summary>
public static class ModelFamilies
{
    /// <summary>All families, in documentation order.</summary>
    public static IReadOnlyList<ModelFamily> All { get; } = new ModelFamily[]
    {
        new("resnet", ModelTask.Classification, new[] { "18", "34", "50", "101", "152" },
            (v, o, s) => ResNet.Build(new ResNetConfig(int.Parse(v), Batch: o.Batch(), Resolution: o.Int("resolution", 224),
                Classes: o.Int("classes", 1000), Head: o.String("head", "classifier") != "none"), s)),
        new("wide_resnet", ModelTask.Classification, new[] { "50_2", "101_2" },
            (v, o, s) => ResNet.Build(new ResNetConfig(int.Parse(v.Split('_')[0]), WidthPerGroup: 128, Batch: o.Batch(),
                Resolution: o.Int("resolution", 224), Classes: o.Int("classes", 1000)), s)),
        new("resnext", ModelTask.Classification, new[] { "50_32x4d" },
            (v, o, s) => ResNet.Build(new ResNetConfig(50, WidthPerGroup: 4, Groups: 32, Batch: o.Batch(),
                Resolution: o.Int("resolution", 224), Classes: o.Int("classes", 1000)), s)),
        new("vgg", ModelTask.Classification, new[] { "11", "13", "16", "19", "11_bn", "13_bn", "16_bn", "19_bn" },
            (v, o, s) => Vgg.Build(new VggConfig(int.Parse(v.Split('_')[0]), v.EndsWith("_bn", StringComparison.Ordinal),
                o.Batch(), o.Int("classes", 1000), o.Int("resolution", 224)), s)),
        new("mobilenet_v1", ModelTask.Classification, new[] { "0.25", "0.5", "0.75", "1.0" },
            (v, o, s) => MobileNet.BuildV1(new MobileNetConfig(ParseWidth(v), o.Batch(), o.Int("resolution", 224), o.Int("classes", 1000)), s)),
        new("mobilenet_v2", ModelTask.Classification, new[] { "0.35", "0.5", "0.75", "1.0", "1.4" },
            (v, o, s) => MobileNet.BuildV2(new MobileNetConfig(ParseWidth(v), o.Batch(), o.Int("resolution", 224), o.Int("classes", 1000)), s)),
        new("squeezenet", ModelTask.Classification, new[] { "1.0", "1.1" },
            (v, o, s) => SqueezeNet.Build(new SqueezeNetConfig(v, o.Batch(), o.Int("classes", 1000)), s)),
        new("googlenet", ModelTask.Classification, new[] { "v1" },
            (_, o, s) => GoogLeNet.Build(new GoogLeNetConfig(o.Batch(), o.Int("classes", 1000)), s)),
        new("densenet", ModelTask.Classification, new[] { "121", "169", "201" },
            (v, o, s) => DenseNet.Build(new DenseNetConfig(int.Parse(v), o.Batch(), o.Int("classes", 1000)), s)),
        new("unet", ModelTask.Segmentation, new[] { "small", "base" },
            (v, o, s) => UNet.Build(new UNetConfig(v == "small" ? 16 : 32, o.Int("levels", 4), o.Int("classes", 21), o.Batch(),
                o.Int("resolution", 224)), s)),
        new("bert", ModelTask.Language, new[] { "tiny", "mini", "small", "medium", "base" },
            (v, o, s) => Bert.Build(v switch
            {
                "tiny" => new BertConfig(2, 128, 2),
                "mini" => new BertConfig(4, 256, 4),
                "small" => new BertConfig(4, 512, 8),
                "medium" => new BertConfig(8, 512, 8),
                _ => new BertConfig(12, 768, 12),
            }, s)),
        new("gpt2", ModelTask.Language, new[] { "tiny", "mini", "distil", "base" },
            (v, o, s) => Gpt2.Build(v switch
            {
                "tiny" => new Gpt2Config(2, 128, 2, Context: o.Int("context", 512)),
                "mini" => new Gpt2Config(4, 256, 4, Context: o.Int("context", 512)),
                "distil" => new Gpt2Config(6, 768, 12, Context: o.Int("context", 1024)),
                _ => new Gpt2Config(12, 768, 12, Context: o.Int("context", 1024)),
            }, s)),
        new("vit", ModelTask.Classification, new[] { "tiny", "small", "base" },
            (v, o, s) => Vit.Build(v switch
            {
                "tiny" => new VitConfig(192, 3, Batch: o.Batch(symbolicByDefault: true), Classes: o.Int("classes", 1000)),
                "small" => new VitConfig(384, 6, Batch: o.Batch(symbolicByDefault: true), Classes: o.Int("classes", 1000)),
                _ => new VitConfig(768, 12, Batch: o.Batch(symbolicByDefault: true), Classes: o.Int("classes", 1000)),
            }, s)),
        new("audio", ModelTask.Synthetic, new[] { "sr-switch", "frame-loop", "lstm-stream", "gru-stream" },
            (v, o, s) => v switch
            {
                "sr-switch" => Audio.SampleRateSwitch(s, o.Int("samples", 1600)),
                "frame-loop" => Audio.FrameLoop(s, o.Int("samples", 1024)),
                "lstm-stream" => Audio.StatefulRnn(s, "lstm", o.Int("steps", 20)),
                _ => Audio.StatefulRnn(s, "gru", o.Int("steps", 20)),
            }),
        new("test", ModelTask.Synthetic, new[] { "tiny-transformer", "dynamic-spatial", "if", "loop", "privacy", "chain" },
            (v, o, s) => v switch
            {
                "tiny-transformer" => TestModels.TinyTransformer(s),
                "dynamic-spatial" => TestModels.DynamicSpatial(s),
                "if" => TestModels.IfModel(s),
                "loop" => TestModels.LoopModel(s, o.Int("iterations", 5)),
                "privacy" => TestModels.Privacy(s),
                _ => TestModels.Chain(o.Int("layers", 1000), o.Int("width", 16), s),
            }),
    };

    /// <summary>The family called <paramref name="name"/>, or null.</summary>
    public static ModelFamily? Find(string name) => All.FirstOrDefault(f => f.Name == name);

    private static double ParseWidth(string v) => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture);
}
