using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>MobileNet configuration.</summary>
/// <param name="WidthMultiplier">Channel multiplier (alpha), e.g. 0.5, 0.75, 1.0.</param>
/// <param name="Batch">Batch dimension.</param>
/// <param name="Resolution">Input height and width.</param>
/// <param name="Classes">Classifier outputs.</param>
public sealed record MobileNetConfig(double WidthMultiplier = 1.0, Dim? Batch = null, int Resolution = 224, int Classes = 1000);

/// <summary>
/// MobileNet v1 (Howard et al. 2017) and v2 (Sandler et al. 2018). BatchNorm is folded into the convolutions' biases,
/// as PyTorch's exporter does in eval mode.
/// </summary>
public static class MobileNet
{
    /// <summary>MobileNet v1: a stem and 13 depthwise-separable blocks.</summary>
    public static ModelProto BuildV1(MobileNetConfig config, BuildSettings? settings = null)
    {
        long C(long c) => Math.Max(8, (long)(c * config.WidthMultiplier));
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder($"mobilenet_v1_{config.WidthMultiplier:0.00}", settings);
        var x = ImageInput.Declare(b, batch, config.Resolution);
        x = b.Relu(b.Conv(x, 3, C(32), 3, stride: 2, name: "model.0"));
        (long channels, long stride)[] blocks =
        {
            (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
            (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
        };
        long inChannels = C(32);
        for (int i = 0; i < blocks.Length; i++)
        {
            using var _ = b.Scope($"model.{i + 1}");
            long outChannels = C(blocks[i].channels);
            x = b.Relu(b.Conv(x, inChannels, inChannels, 3, blocks[i].stride, group: inChannels, name: "depthwise"));
            x = b.Relu(b.Conv(x, inChannels, outChannels, 1, name: "pointwise"));
            inChannels = outChannels;
        }
        x = b.Gemm(b.PoolAndFlatten(x), inChannels, config.Classes);
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }

    /// <summary>MobileNet v2: inverted residual blocks with linear bottlenecks and ReLU6.</summary>
    public static ModelProto BuildV2(MobileNetConfig config, BuildSettings? settings = null)
    {
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder($"mobilenet_v2_{config.WidthMultiplier:0.00}", settings);
        var x = ImageInput.Declare(b, batch, config.Resolution);
        long inChannels = MakeDivisible(32 * config.WidthMultiplier);
        long lastChannels = MakeDivisible(1280 * Math.Max(1.0, config.WidthMultiplier));
        x = b.Relu6(b.Conv(x, 3, inChannels, 3, stride: 2, name: "features.0.0"));
        (int t, int c, int n, int s)[] settingsTable =
        {
            (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
        };
        int index = 1;
        foreach (var (t, c, n, s) in settingsTable)
        {
            long outChannels = MakeDivisible(c * config.WidthMultiplier);
            for (int i = 0; i < n; i++)
            {
                using var _ = b.Scope($"features.{index++}.conv");
                long stride = i == 0 ? s : 1;
                long hidden = inChannels * t;
                var y = x;
                if (t != 1) y = b.Relu6(b.Conv(y, inChannels, hidden, 1, name: "expand"));
                y = b.Relu6(b.Conv(y, hidden, hidden, 3, stride, group: hidden, name: "depthwise"));
                y = b.Conv(y, hidden, outChannels, 1, name: "project");
                x = stride == 1 && inChannels == outChannels ? b.Add(x, y) : y;
                inChannels = outChannels;
            }
        }
        x = b.Relu6(b.Conv(x, inChannels, lastChannels, 1, name: $"features.{index}.0"));
        x = b.Gemm(b.PoolAndFlatten(x), lastChannels, config.Classes, "classifier.1");
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }

    /// <summary>Rounds a channel count to a multiple of 8 without dropping more than 10 % (the reference rule).</summary>
    private static long MakeDivisible(double value, int divisor = 8)
    {
        long rounded = Math.Max(divisor, (long)(value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) rounded += divisor;
        return rounded;
    }
}
