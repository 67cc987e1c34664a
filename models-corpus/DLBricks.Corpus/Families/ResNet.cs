using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>ResNet / Wide-ResNet / ResNeXt configuration (torchvision layout).</summary>
/// <param name="Depth">18, 34, 50, 101 or 152.</param>
/// <param name="WidthPerGroup">64 for ResNet, 128 for Wide-ResNet-*-2, 4 for ResNeXt-*-32x4d.</param>
/// <param name="Groups">Grouped 3x3 convolutions in bottlenecks (32 for ResNeXt).</param>
/// <param name="Batch">Batch dimension (fixed or symbolic).</param>
/// <param name="Resolution">Input height and width.</param>
/// <param name="Classes">Classifier outputs.</param>
/// <param name="Head">False drops pooling and classifier, leaving the stride-32 feature map (detection backbone).</param>
public sealed record ResNetConfig(int Depth, int WidthPerGroup = 64, int Groups = 1, Dim? Batch = null, int Resolution = 224, int Classes = 1000, bool Head = true);

/// <summary>ResNet family (He et al. 2016) with explicit BatchNormalization nodes.</summary>
public static class ResNet
{
    /// <summary>Builds the network.</summary>
    public static ModelProto Build(ResNetConfig config, BuildSettings? settings = null)
    {
        var (blocks, bottleneck) = config.Depth switch
        {
            18 => (new[] { 2, 2, 2, 2 }, false),
            34 => (new[] { 3, 4, 6, 3 }, false),
            50 => (new[] { 3, 4, 6, 3 }, true),
            101 => (new[] { 3, 4, 23, 3 }, true),
            152 => (new[] { 3, 8, 36, 3 }, true),
            _ => throw new ArgumentException($"ResNet depth {config.Depth} is not one of 18, 34, 50, 101, 152."),
        };
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder($"resnet{config.Depth}", settings);
        var x = ImageInput.Declare(b, batch, config.Resolution);
        x = b.ConvBnRelu(x, 3, 64, 7, stride: 2, pad: 3, name: "conv1", bnName: "bn1");
        x = b.MaxPool(x, 3, 2, 1);

        long inChannels = 64;
        int expansion = bottleneck ? 4 : 1;
        long[] planes = { 64, 128, 256, 512 };
        for (int stage = 0; stage < 4; stage++)
        {
            for (int i = 0; i < blocks[stage]; i++)
            {
                long stride = stage > 0 && i == 0 ? 2 : 1;
                using var _ = b.Scope($"layer{stage + 1}.{i}");
                x = bottleneck
                    ? Bottleneck(b, x, inChannels, planes[stage], stride, config)
                    : Basic(b, x, inChannels, planes[stage], stride);
                inChannels = planes[stage] * expansion;
            }
        }
        if (!config.Head)
        {
            long side = (config.Resolution + 31) / 32;
            ImageInput.Finish(b, x, batch, inChannels, side, side);
            return b.Build();
        }
        x = b.PoolAndFlatten(x);
        x = b.Gemm(x, inChannels, config.Classes);
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }

    private static string Basic(OnnxGraphBuilder b, string x, long inChannels, long planes, long stride)
    {
        var y = b.ConvBnRelu(x, inChannels, planes, 3, stride, name: "conv1", bnName: "bn1");
        y = b.BatchNorm(b.Conv(y, planes, planes, 3, bias: false, name: "conv2"), planes, "bn2");
        return b.Relu(b.Add(y, Shortcut(b, x, inChannels, planes, stride)));
    }

    private static string Bottleneck(OnnxGraphBuilder b, string x, long inChannels, long planes, long stride, ResNetConfig config)
    {
        long width = planes * config.WidthPerGroup / 64 * config.Groups;
        long outChannels = planes * 4;
        var y = b.ConvBnRelu(x, inChannels, width, 1, name: "conv1", bnName: "bn1");
        y = b.ConvBnRelu(y, width, width, 3, stride, group: config.Groups, name: "conv2", bnName: "bn2");
        y = b.BatchNorm(b.Conv(y, width, outChannels, 1, bias: false, name: "conv3"), outChannels, "bn3");
        return b.Relu(b.Add(y, Shortcut(b, x, inChannels, outChannels, stride)));
    }

    private static string Shortcut(OnnxGraphBuilder b, string x, long inChannels, long outChannels, long stride)
    {
        if (stride == 1 && inChannels == outChannels) return x;
        using var _ = b.Scope("downsample");
        return b.BatchNorm(b.Conv(x, inChannels, outChannels, 1, stride, bias: false, name: "0"), outChannels, "1");
    }
}
