using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Families;

/// <summary>Vision Transformer configuration.</summary>
/// <param name="Hidden">Embedding width (192 tiny, 384 small, 768 base).</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Layers">Encoder blocks.</param>
/// <param name="PatchSize">Patch edge in pixels.</param>
/// <param name="Batch">Batch dimension (symbolic by default).</param>
/// <param name="Classes">Classifier outputs.</param>
public sealed record VitConfig(int Hidden, int Heads, int Layers = 12, int PatchSize = 16, Dim? Batch = null, int Classes = 1000);

/// <summary>
/// ViT (Dosovitskiy et al. 2021): patch-embedding Conv, class token Expand+Concat, position Add, pre-norm encoder
/// blocks with Erf GELU, classifier on the class token.
/// </summary>
public static class Vit
{
    /// <summary>Builds the network for 224x224 input.</summary>
    public static ModelProto Build(VitConfig config, BuildSettings? settings = null)
    {
        const int resolution = 224;
        long h = config.Hidden;
        long patches = (resolution / config.PatchSize) * (resolution / config.PatchSize);
        var batch = config.Batch ?? "batch";
        var b = new OnnxGraphBuilder($"vit_{h}_{config.Layers}", settings);
        var image = ImageInput.Declare(b, batch, resolution);

        var x = b.Conv(image, 3, h, config.PatchSize, config.PatchSize, 0, name: "patch_embed.proj");
        x = b.Op("Reshape", new[] { x, b.Int64Vector(0, h, -1) });
        x = b.Op("Transpose", x, Attr.Ints("perm", 0, 2, 1));

        var batchDim = b.DimOf(b.Op("Shape", image), 0);
        var clsShape = b.Op("Concat", new[] { batchDim, b.Int64Vector(1, h) }, Attr.Int("axis", 0));
        var cls = b.Op("Expand", new[] { b.Weight("cls_token", 0.02f, 1, 1, h), clsShape });
        x = b.Concat(new[] { cls, x });
        x = b.Add(x, b.Weight("pos_embed", 0.02f, 1, patches + 1, h));

        for (int i = 0; i < config.Layers; i++)
        {
            using var _ = b.Scope($"blocks.{i}");
            x = b.Add(x, b.SelfAttention(b.LayerNorm(x, h, "norm1", 1e-6f), h, config.Heads, "attn"));
            var m = b.GeluErf(b.Linear(b.LayerNorm(x, h, "norm2", 1e-6f), h, 4 * h, "mlp.fc1"));
            x = b.Add(x, b.Linear(m, 4 * h, h, "mlp.fc2"));
        }
        x = b.LayerNorm(x, h, "norm", 1e-6f);
        x = b.Op("Gather", new[] { x, b.Int64Scalar(0) }, Attr.Int("axis", 1));
        x = b.Gemm(x, h, config.Classes, "head");
        ImageInput.Finish(b, x, batch, config.Classes);
        return b.Build();
    }
}
