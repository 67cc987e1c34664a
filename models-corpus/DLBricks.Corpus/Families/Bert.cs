using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Corpus.Families;

/// <summary>BERT encoder configuration.</summary>
/// <param name="Layers">Encoder layers (L).</param>
/// <param name="Hidden">Hidden size (H).</param>
/// <param name="Heads">Attention heads (H/64 in the reference sizes).</param>
/// <param name="Vocab">Vocabulary size.</param>
/// <param name="MaxPositions">Rows of the position embedding table.</param>
public sealed record BertConfig(int Layers, int Hidden, int Heads, int Vocab = 30522, int MaxPositions = 512)
{
    /// <summary>Feed-forward width (4H).</summary>
    public int Intermediate => 4 * Hidden;
}

/// <summary>
/// BERT encoder (Devlin et al. 2019) laid out like a PyTorch/Hugging Face export: int64 input_ids and attention_mask
/// [batch, seq], Gather embeddings, additive mask from attention_mask, decomposed LayerNorm, Erf GELU.
/// </summary>
public static class Bert
{
    /// <summary>Builds the encoder; outputs last_hidden_state [batch, seq, H] and pooler_output [batch, H].</summary>
    public static ModelProto Build(BertConfig config, BuildSettings? settings = null)
    {
        long h = config.Hidden;
        var b = new OnnxGraphBuilder($"bert_L{config.Layers}_H{config.Hidden}", settings);
        var ids = b.Input("input_ids", DataType.Int64, "batch", "seq");
        var mask = b.Input("attention_mask", DataType.Int64, "batch", "seq");

        string x;
        using (b.Scope("embeddings"))
        {
            var words = b.Op("Gather", new[] { b.Weight("word_embeddings.weight", 0.05f, config.Vocab, h), ids }, Attr.Int("axis", 0));
            var positions = b.Op("Gather", new[] { b.Weight("position_embeddings.weight", 0.05f, config.MaxPositions, h), b.PositionIds(ids) }, Attr.Int("axis", 0));
            // Token type ids default to zeros, which exporters fold into one constant row.
            var tokenType = b.Weight("token_type_embeddings.row0", 0.05f, h);
            x = b.Add(b.Add(words, tokenType), positions);
            x = b.LayerNorm(x, h, "LayerNorm");
        }

        // (1 - mask) * -10000 broadcast over heads and query positions: [batch, 1, 1, seq].
        var maskFloat = b.Op("Cast", b.Op("Unsqueeze", new[] { mask, b.Int64Vector(1, 2) }), Attr.Int("to", (long)DataType.Float));
        var additive = b.Op("Mul", new[] { b.Op("Sub", new[] { b.Scalar(1f), maskFloat }), b.Scalar(-10000f) });

        for (int i = 0; i < config.Layers; i++)
        {
            using var _ = b.Scope($"encoder.layer.{i}");
            var attention = b.SelfAttention(x, h, config.Heads, "attention", additiveMask: additive);
            x = b.LayerNorm(b.Add(attention, x), h, "attention.LayerNorm");
            var ff = b.GeluErf(b.Linear(x, h, config.Intermediate, "intermediate.dense"));
            ff = b.Linear(ff, config.Intermediate, h, "output.dense");
            x = b.LayerNorm(b.Add(ff, x), h, "output.LayerNorm");
        }

        x = b.Expose(x, "last_hidden_state", DataType.Float, "batch", "seq", h);
        var first = b.Op("Gather", new[] { x, b.Int64Scalar(0) }, Attr.Int("axis", 1));
        using (b.Scope("pooler"))
            b.Expose(b.Op("Tanh", b.Gemm(first, h, h, "dense")), "pooler_output", DataType.Float, "batch", h);
        return b.Build();
    }
}
