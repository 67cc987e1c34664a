using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>DenseNet configuration.</summary>
/// <param name="Depth">121, 169 or 201.</param>
/// <param name="Batch">Batch dimension.</param>
/// <param name="Classes">Classifier outputs.</param>
public sealed record DenseNetConfig(int Depth = 121, Dim? Batch = null, int Classes = 1000);

/// <summary>DenseNet-BC (Huang et al. 2017), growth rate 32, bottleneck width 4x.</summary>
public static class DenseNet
{
    /// <summary>Builds the network; each dense layer concatenates all earlier feature maps of its block.</summary>
    public static ModelProto Build(DenseNetConfig config, BuildSettings? settings = null)
    {
        int[] blockLayers = config.Depth switch
        {
            121 => new[] { 6, 12, 24, 16 },
            169 => new[] { 6, 12, 32, 32 },
            201 => new[] { 6, 12, 48, 32 },
            _ => throw new ArgumentException($"DenseNet depth {config.Depth} is not one of 121, 169, 201."),
        };
        const long growth = 32, bottleneck = 4 * growth;
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder($"densenet{config.Depth}", settings);
        var x = ImageInput.Declare(b, batch, 224);
        using (b.Scope("features"))
        {
            x = b.ConvBnRelu(x, 3, 64, 7, 2, 3, name: "conv0", bnName: "norm0");
            x = b.MaxPool(x, 3, 2, 1);
        }
        long channels = 64;
        for (int block = 0; block < blockLayers.Length; block++)
        {
            var features = new List<string> { x };
            for (int layer = 0; layer < blockLayers[block]; layer++)
            {
                using var _ = b.Scope($"features.denseblock{block + 1}.denselayer{layer + 1}");
                var input = features.Count == 1 ? features[0] : b.Concat(features);
                long inCh = channels + layer * growth;
                var y = b.Relu(b.BatchNorm(input, inCh, "norm1"));
                y = b.Conv(y, inCh, bottleneck, 1, bias: false, name: "conv1");
                y = b.Relu(b.BatchNorm(y, bottleneck, "norm2"));
                features.Add(b.Conv(y, bottleneck, growth, 3, bias: false, name: "conv2"));
            }
            x = b.Concat(features);
            channels += blockLayers[block] * growth;
            if (block < blockLayers.Length - 1)
            {
                using var _ = b.Scope($"features.transition{block + 1}");
                x = b.Relu(b.BatchNorm(x, channels, "norm"));
                x = b.Conv(x, channels, channels / 2, 1, bias: false, name: "conv");
                x = b.AveragePool(x, 2, 2);
                channels /= 2;
            }
        }
        x = b.Relu(b.BatchNorm(x, channels, "features.norm5"));
        x = b.Gemm(b.PoolAndFlatten(x), channels, config.Classes, "classifier");
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }
}
