using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Corpus.Families;

/// <summary>GPT-2 decoder configuration.</summary>
/// <param name="Layers">Decoder blocks.</param>
/// <param name="Hidden">Embedding width.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Vocab">Vocabulary size.</param>
/// <param name="Context">Maximum positions (size of the causal table and position embedding).</param>
public sealed record Gpt2Config(int Layers, int Hidden, int Heads, int Vocab = 50257, int Context = 1024);

/// <summary>
/// GPT-2 style decoder stack (Radford et al. 2019): pre-LayerNorm blocks with fused QKV projection, causal mask sliced
/// from a lower-triangular table and applied with Where, tanh GELU, and a tied-size LM head producing logits.
/// </summary>
public static class Gpt2
{
    /// <summary>Builds the decoder; input input_ids int64 [batch, seq], output logits [batch, seq, vocab].</summary>
    public static ModelProto Build(Gpt2Config config, BuildSettings? settings = null)
    {
        long h = config.Hidden;
        var b = new OnnxGraphBuilder($"gpt2_L{config.Layers}_H{config.Hidden}", settings);
        var ids = b.Input("input_ids", DataType.Int64, "batch", "seq");
        var wte = b.Weight("transformer.wte.weight", 0.05f, config.Vocab, h);
        var tokens = b.Op("Gather", new[] { wte, ids }, Attr.Int("axis", 0));
        var positions = b.Op("Gather", new[] { b.Weight("transformer.wpe.weight", 0.02f, config.Context, h), b.PositionIds(ids) }, Attr.Int("axis", 0));
        var x = b.Add(tokens, positions);
        var causal = b.CausalTable(config.Context, "transformer.causal_bias");

        for (int i = 0; i < config.Layers; i++)
        {
            using var _ = b.Scope($"transformer.h.{i}");
            var a = b.SelfAttention(b.LayerNorm(x, h, "ln_1", 1e-5f), h, config.Heads, "attn", causalTable: causal, fusedQkv: true);
            x = b.Add(x, a);
            var m = b.GeluTanh(b.Linear(b.LayerNorm(x, h, "ln_2", 1e-5f), h, 4 * h, "mlp.c_fc"));
            x = b.Add(x, b.Linear(m, 4 * h, h, "mlp.c_proj"));
        }
        x = b.LayerNorm(x, h, "transformer.ln_f", 1e-5f);
        // The head reuses wte's values in GPT-2; exporters emit the transposed copy as its own initializer.
        var logits = b.Op("MatMul", new[] { x, b.Weight("lm_head.weight", 1f / MathF.Sqrt(h), h, config.Vocab) });
        b.Expose(logits, "logits", DataType.Float, "batch", "seq", config.Vocab);
        return b.Build();
    }
}
