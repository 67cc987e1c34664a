namespace DLBricks.Corpus.Building;

/// <summary>
/// Convolutional-network layers as exporters emit them (Conv, BatchNormalization, pooling, Gemm), with weights
/// drawn like PyTorch's defaults (uniform ±1/sqrt(fan_in)) so activations stay finite in deep stacks.
/// </summary>
public static class ConvLayers
{
    /// <summary>2-D convolution with a square kernel; <paramref name="pad"/> defaults to kernel/2 ("same" for odd kernels).</summary>
    public static string Conv(this OnnxGraphBuilder b, string x, long inChannels, long outChannels, long kernel,
        long stride = 1, long pad = -1, long group = 1, bool bias = true, string name = "conv")
    {
        if (pad < 0) pad = kernel / 2;
        if (inChannels % group != 0 || outChannels % group != 0)
            throw new ArgumentException($"Conv {name}: channels {inChannels}->{outChannels} not divisible by group {group}.");
        long fanIn = inChannels / group * kernel * kernel;
        float bound = 1f / MathF.Sqrt(fanIn);
        using var _ = b.Scope(name);
        var inputs = new List<string> { x, b.Weight("weight", bound, outChannels, inChannels / group, kernel, kernel) };
        if (bias) inputs.Add(b.Weight("bias", bound, outChannels));
        return b.Op("Conv", inputs,
            Attr.Ints("dilations", 1, 1),
            Attr.Int("group", group),
            Attr.Ints("kernel_shape", kernel, kernel),
            Attr.Ints("pads", pad, pad, pad, pad),
            Attr.Ints("strides", stride, stride));
    }

    /// <summary>2-D transposed convolution (kernel = stride, no padding), the usual 2x upsampler.</summary>
    public static string ConvTranspose(this OnnxGraphBuilder b, string x, long inChannels, long outChannels, long kernel, long stride, string name = "up")
    {
        float bound = 1f / MathF.Sqrt(outChannels * kernel * kernel);
        using var _ = b.Scope(name);
        return b.Op("ConvTranspose",
            new[] { x, b.Weight("weight", bound, inChannels, outChannels, kernel, kernel), b.Weight("bias", bound, outChannels) },
            Attr.Ints("kernel_shape", kernel, kernel),
            Attr.Ints("strides", stride, stride));
    }

    /// <summary>Inference-mode batch normalization with plausible running statistics (variance strictly positive).</summary>
    public static string BatchNorm(this OnnxGraphBuilder b, string x, long channels, string name = "bn", float epsilon = 1e-5f)
    {
        using var _ = b.Scope(name);
        var scale = b.Uniform("weight", 0.5f, 1.5f, channels);
        var shift = b.Uniform("bias", -0.1f, 0.1f, channels);
        var mean = b.Uniform("running_mean", -0.1f, 0.1f, channels);
        var variance = b.Uniform("running_var", 0.5f, 1.5f, channels);
        return b.Op("BatchNormalization", new[] { x, scale, shift, mean, variance },
            Attr.Float("epsilon", epsilon), Attr.Float("momentum", 0.9f));
    }

    /// <summary>Relu.</summary>
    public static string Relu(this OnnxGraphBuilder b, string x) => b.Op("Relu", x);

    /// <summary>ReLU6 the way PyTorch exports it: Clip with min/max as inputs (opset 11+).</summary>
    public static string Relu6(this OnnxGraphBuilder b, string x) => b.Op("Clip", new[] { x, b.Scalar(0f), b.Scalar(6f) });

    /// <summary>Conv (no bias) → BatchNormalization → Relu, the standard CNN unit.</summary>
    public static string ConvBnRelu(this OnnxGraphBuilder b, string x, long inChannels, long outChannels, long kernel,
        long stride = 1, long pad = -1, long group = 1, string name = "conv", string bnName = "bn", float epsilon = 1e-5f)
    {
        var y = b.Conv(x, inChannels, outChannels, kernel, stride, pad, group, bias: false, name: name);
        return b.Relu(b.BatchNorm(y, outChannels, bnName, epsilon));
    }

    /// <summary>Max pooling with a square window.</summary>
    public static string MaxPool(this OnnxGraphBuilder b, string x, long kernel, long stride, long pad = 0, bool ceil = false) =>
        b.Op("MaxPool", x,
            Attr.Int("ceil_mode", ceil ? 1 : 0),
            Attr.Ints("kernel_shape", kernel, kernel),
            Attr.Ints("pads", pad, pad, pad, pad),
            Attr.Ints("strides", stride, stride));

    /// <summary>Average pooling with a square window.</summary>
    public static string AveragePool(this OnnxGraphBuilder b, string x, long kernel, long stride, long pad = 0) =>
        b.Op("AveragePool", x,
            Attr.Int("ceil_mode", 0),
            Attr.Int("count_include_pad", 0),
            Attr.Ints("kernel_shape", kernel, kernel),
            Attr.Ints("pads", pad, pad, pad, pad),
            Attr.Ints("strides", stride, stride));

    /// <summary>GlobalAveragePool followed by Flatten(axis 1): the usual classifier neck.</summary>
    public static string PoolAndFlatten(this OnnxGraphBuilder b, string x) =>
        b.Op("Flatten", b.Op("GlobalAveragePool", x), Attr.Int("axis", 1));

    /// <summary>Fully connected layer as Gemm with a [out, in] weight (transB = 1), as torch.nn.Linear exports for 2-D input.</summary>
    public static string Gemm(this OnnxGraphBuilder b, string x, long inFeatures, long outFeatures, string name = "fc")
    {
        float bound = 1f / MathF.Sqrt(inFeatures);
        using var _ = b.Scope(name);
        return b.Op("Gemm", new[] { x, b.Weight("weight", bound, outFeatures, inFeatures), b.Weight("bias", bound, outFeatures) },
            Attr.Float("alpha", 1f), Attr.Float("beta", 1f), Attr.Int("transB", 1));
    }

    /// <summary>Element-wise Add.</summary>
    public static string Add(this OnnxGraphBuilder b, string x, string y) => b.Op("Add", new[] { x, y });

    /// <summary>Concat along <paramref name="axis"/>.</summary>
    public static string Concat(this OnnxGraphBuilder b, IReadOnlyList<string> xs, long axis = 1) =>
        b.Op("Concat", xs, Attr.Int("axis", axis));
}
