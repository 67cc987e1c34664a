using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>GoogLeNet configuration.</summary>
/// <param name="Batch">Batch dimension.</param>
/// <param name="Classes">Classifier outputs.</param>
public sealed record GoogLeNetConfig(Dim? Batch = null, int Classes = 1000);

/// <summary>Inception v1 / GoogLeNet (Szegedy et al. 2015) with BatchNorm after each conv, as torchvision builds it.</summary>
public static class GoogLeNet
{
    /// <summary>Builds the network (auxiliary classifiers dropped, as in inference exports).</summary>
    public static ModelProto Build(GoogLeNetConfig config, BuildSettings? settings = null)
    {
        var batch = config.Batch ?? 1;
        var b = new OnnxGraphBuilder("googlenet", settings);
        var x = ImageInput.Declare(b, batch, 224);
        x = Basic(b, x, 3, 64, 7, 2, "conv1");
        x = b.MaxPool(x, 3, 2, ceil: true);
        x = Basic(b, x, 64, 64, 1, 1, "conv2");
        x = Basic(b, x, 64, 192, 3, 1, "conv3");
        x = b.MaxPool(x, 3, 2, ceil: true);
        x = Inception(b, x, "inception3a", 192, 64, 96, 128, 16, 32, 32);
        x = Inception(b, x, "inception3b", 256, 128, 128, 192, 32, 96, 64);
        x = b.MaxPool(x, 3, 2, ceil: true);
        x = Inception(b, x, "inception4a", 480, 192, 96, 208, 16, 48, 64);
        x = Inception(b, x, "inception4b", 512, 160, 112, 224, 24, 64, 64);
        x = Inception(b, x, "inception4c", 512, 128, 128, 256, 24, 64, 64);
        x = Inception(b, x, "inception4d", 512, 112, 144, 288, 32, 64, 64);
        x = Inception(b, x, "inception4e", 528, 256, 160, 320, 32, 128, 128);
        x = b.MaxPool(x, 2, 2, ceil: true);
        x = Inception(b, x, "inception5a", 832, 256, 160, 320, 32, 128, 128);
        x = Inception(b, x, "inception5b", 832, 384, 192, 384, 48, 128, 128);
        x = b.Gemm(b.PoolAndFlatten(x), 1024, config.Classes);
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }

    private static string Basic(OnnxGraphBuilder b, string x, long inCh, long outCh, long k, long stride, string name)
    {
        using var _ = b.Scope(name);
        return b.ConvBnRelu(x, inCh, outCh, k, stride, name: "conv", bnName: "bn", epsilon: 1e-3f);
    }

    private static string Inception(OnnxGraphBuilder b, string x, string name, long inCh, long c1, long c3r, long c3, long c5r, long c5, long pool)
    {
        using var _ = b.Scope(name);
        var b1 = Basic(b, x, inCh, c1, 1, 1, "branch1");
        var b2 = Basic(b, Basic(b, x, inCh, c3r, 1, 1, "branch2.0"), c3r, c3, 3, 1, "branch2.1");
        var b3 = Basic(b, Basic(b, x, inCh, c5r, 1, 1, "branch3.0"), c5r, c5, 5, 1, "branch3.1");
        var b4 = Basic(b, b.MaxPool(x, 3, 1, 1, ceil: true), inCh, pool, 1, 1, "branch4.1");
        return b.Concat(new[] { b1, b2, b3, b4 });
    }
}
