using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>SqueezeNet configuration.</summary>
/// <param name="Version">"1.0" or "1.1".</param>
/// <param name="Batch">Batch dimension.</param>
/// <param name="Classes">Classifier outputs.</param>
public sealed record SqueezeNetConfig(string Version = "1.1", Dim? Batch = null, int Classes = 1000);

/// <summary>SqueezeNet (Iandola et al. 2016): Fire modules of squeeze 1x1 and concatenated expand 1x1/3x3.</summary>
public static class SqueezeNet
{
    /// <summary>Builds the network.</summary>
    public static ModelProto Build(SqueezeNetConfig config, BuildSettings? settings = null)
    {
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder($"squeezenet{config.Version.Replace('.', '_')}", settings);
        var x = ImageInput.Declare(b, batch, 224);
        int index = 0;
        string Fire(string input, long inCh, long squeeze, long expand)
        {
            using var _ = b.Scope($"features.{index++}");
            var s = b.Relu(b.Conv(input, inCh, squeeze, 1, name: "squeeze"));
            var e1 = b.Relu(b.Conv(s, squeeze, expand, 1, name: "expand1x1"));
            var e3 = b.Relu(b.Conv(s, squeeze, expand, 3, name: "expand3x3"));
            return b.Concat(new[] { e1, e3 });
        }
        string Pool(string input) { index++; return b.MaxPool(input, 3, 2, ceil: true); }

        switch (config.Version)
        {
            case "1.0":
                x = b.Relu(b.Conv(x, 3, 96, 7, stride: 2, pad: 0, name: "features.0")); index += 2;
                x = Pool(x);
                x = Fire(x, 96, 16, 64); x = Fire(x, 128, 16, 64); x = Fire(x, 128, 32, 128);
                x = Pool(x);
                x = Fire(x, 256, 32, 128); x = Fire(x, 256, 48, 192); x = Fire(x, 384, 48, 192); x = Fire(x, 384, 64, 256);
                x = Pool(x);
                x = Fire(x, 512, 64, 256);
                break;
            case "1.1":
                x = b.Relu(b.Conv(x, 3, 64, 3, stride: 2, pad: 0, name: "features.0")); index += 2;
                x = Pool(x);
                x = Fire(x, 64, 16, 64); x = Fire(x, 128, 16, 64);
                x = Pool(x);
                x = Fire(x, 128, 32, 128); x = Fire(x, 256, 32, 128);
                x = Pool(x);
                x = Fire(x, 256, 48, 192); x = Fire(x, 384, 48, 192); x = Fire(x, 384, 64, 256); x = Fire(x, 512, 64, 256);
                break;
            default:
                throw new ArgumentException($"SqueezeNet version '{config.Version}' is not 1.0 or 1.1.");
        }
        x = b.Relu(b.Conv(x, 512, config.Classes, 1, name: "classifier.1"));
        x = b.PoolAndFlatten(x);
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }
}
