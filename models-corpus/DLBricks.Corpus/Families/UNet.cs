using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>U-Net configuration.</summary>
/// <param name="BaseChannels">Channels of the first level; each level doubles them.</param>
/// <param name="Levels">Down-sampling steps (input size must divide by 2^levels).</param>
/// <param name="Classes">Output channels (segmentation classes).</param>
/// <param name="Batch">Batch dimension.</param>
/// <param name="Resolution">Input height and width.</param>
public sealed record UNetConfig(int BaseChannels = 32, int Levels = 4, int Classes = 21, Dim? Batch = null, int Resolution = 224);

/// <summary>U-Net (Ronneberger et al. 2015) with same-padding convs, BatchNorm, ConvTranspose upsampling and skip Concats.</summary>
public static class UNet
{
    /// <summary>Builds the network; the output is per-pixel class scores [batch, classes, H, W].</summary>
    public static ModelProto Build(UNetConfig config, BuildSettings? settings = null)
    {
        if (config.Resolution % (1 << config.Levels) != 0)
            throw new ArgumentException($"U-Net resolution {config.Resolution} is not divisible by 2^{config.Levels}.");
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder($"unet{config.BaseChannels}", settings);
        var x = ImageInput.Declare(b, batch, config.Resolution);
        var skips = new Stack<(string tensor, long channels)>();
        long inCh = 3, ch = config.BaseChannels;
        for (int level = 0; level < config.Levels; level++)
        {
            x = DoubleConv(b, x, inCh, ch, $"down{level}");
            skips.Push((x, ch));
            x = b.MaxPool(x, 2, 2);
            inCh = ch;
            ch *= 2;
        }
        x = DoubleConv(b, x, inCh, ch, "bottleneck");
        for (int level = config.Levels - 1; level >= 0; level--)
        {
            var (skip, skipCh) = skips.Pop();
            var up = b.ConvTranspose(x, ch, skipCh, 2, 2, $"up{level}.upsample");
            x = DoubleConv(b, b.Concat(new[] { skip, up }), 2 * skipCh, skipCh, $"up{level}");
            ch = skipCh;
        }
        x = b.Conv(x, ch, config.Classes, 1, name: "head");
        ImageInput.Finish(b, x, batch, config.Classes, config.Resolution, config.Resolution);
        return b.Build();
    }

    private static string DoubleConv(OnnxGraphBuilder b, string x, long inCh, long outCh, string name)
    {
        using var _ = b.Scope(name);
        x = b.ConvBnRelu(x, inCh, outCh, 3, name: "conv1", bnName: "bn1");
        return b.ConvBnRelu(x, outCh, outCh, 3, name: "conv2", bnName: "bn2");
    }
}
