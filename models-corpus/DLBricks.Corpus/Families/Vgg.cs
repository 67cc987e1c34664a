using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>VGG configuration.</summary>
/// <param name="Depth">11, 13, 16 or 19.</param>
/// <param name="BatchNorm">Insert BatchNormalization after every convolution.</param>
/// <param name="Batch">Batch dimension.</param>
/// <param name="Classes">Classifier outputs.</param>
/// <param name="Resolution">Input height and width (multiple of 32); the first classifier layer takes 512·(R/32)² features.</param>
public sealed record VggConfig(int Depth, bool BatchNorm = false, Dim? Batch = null, int Classes = 1000, int Resolution = 224);

/// <summary>VGG family (Simonyan and Zisserman 2015).</summary>
public static class Vgg
{
    /// <summary>Builds the network.</summary>
    public static ModelProto Build(VggConfig config, BuildSettings? settings = null)
    {
        int[] convsPerStage = config.Depth switch
        {
            11 => new[] { 1, 1, 2, 2, 2 },
            13 => new[] { 2, 2, 2, 2, 2 },
            16 => new[] { 2, 2, 3, 3, 3 },
            19 => new[] { 2, 2, 4, 4, 4 },
            _ => throw new ArgumentException($"VGG depth {config.Depth} is not one of 11, 13, 16, 19."),
        };
        long[] widths = { 64, 128, 256, 512, 512 };
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder($"vgg{config.Depth}{(config.BatchNorm ? "_bn" : "")}", settings);
        if (config.Resolution % 32 != 0) throw new ArgumentException($"VGG resolution {config.Resolution} is not a multiple of 32.");
        var x = ImageInput.Declare(b, batch, config.Resolution);
        long inChannels = 3;
        int index = 0;
        using (b.Scope("features"))
        {
            for (int stage = 0; stage < 5; stage++)
            {
                for (int i = 0; i < convsPerStage[stage]; i++)
                {
                    x = b.Conv(x, inChannels, widths[stage], 3, name: (index++).ToString());
                    if (config.BatchNorm) x = b.BatchNorm(x, widths[stage], (index++).ToString());
                    x = b.Relu(x);
                    index++;
                    inChannels = widths[stage];
                }
                x = b.MaxPool(x, 2, 2);
                index++;
            }
        }
        x = b.Op("Flatten", x, Attr.Int("axis", 1));
        using (b.Scope("classifier"))
        {
            x = b.Relu(b.Gemm(x, 512L * (config.Resolution / 32) * (config.Resolution / 32), 4096, "0"));
            x = b.Relu(b.Gemm(x, 4096, 4096, "3"));
            x = b.Gemm(x, 4096, config.Classes, "6");
        }
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }
}
