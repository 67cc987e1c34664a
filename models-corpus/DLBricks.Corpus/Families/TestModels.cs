using DLBricks.Corpus.Building;
using DLBricks.Onnx.Protos;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Corpus.Families;

/// <summary>Small models that exercise specific features of the splitter, exporter and benchmark runner.</summary>
public static class TestModels
{
    /// <summary>Marker embedded in every name of <see cref="Privacy"/>, so tests can check nothing of it leaks.</summary>
    public const string PrivacyMarker = "SecretAcme";

    /// <summary>
    /// One pre-norm transformer block on float x [batch, seq, 64] with 4 heads; head splitting goes through
    /// Shape→Gather→Unsqueeze→Concat→Reshape so both dims stay dynamic. Output y [batch, seq, 64].
    /// </summary>
    public static ModelProto TinyTransformer(BuildSettings? settings = null)
    {
        const long h = 64;
        var b = new OnnxGraphBuilder("tiny_transformer", settings);
        var x = b.Input("x", DataType.Float, "batch", "seq", h);
        x = b.Add(x, b.SelfAttention(b.LayerNorm(x, h, "ln1", 1e-5f), h, 4, "attn"));
        var m = b.GeluErf(b.Linear(b.LayerNorm(x, h, "ln2", 1e-5f), h, 4 * h, "fc1"));
        b.Expose(b.Add(x, b.Linear(m, 4 * h, h, "fc2")), "y", DataType.Float, "batch", "seq", h);
        return b.Build();
    }

    /// <summary>
    /// Small CNN whose input image [batch, 3, "height", "width"] has symbolic spatial dims that a user must set
    /// before benchmarking. Output logits [batch, 10].
    /// </summary>
    public static ModelProto DynamicSpatial(BuildSettings? settings = null)
    {
        var b = new OnnxGraphBuilder("dynamic_spatial", settings);
        var x = b.Input("image", DataType.Float, "batch", 3, "height", "width");
        x = b.Relu(b.Conv(x, 3, 8, 3, name: "conv1"));
        x = b.Relu(b.Conv(x, 8, 16, 3, stride: 2, name: "conv2"));
        b.Expose(b.Gemm(b.PoolAndFlatten(x), 16, 10), "logits", DataType.Float, "batch", 10);
        return b.Build();
    }

    /// <summary>
    /// x [1, 16] → If(sum(x) &gt; 0): then x·w, else x−w, where w is a main-graph initializer both branches read
    /// from the outer scope. Output y [1, 16].
    /// </summary>
    public static ModelProto IfModel(BuildSettings? settings = null)
    {
        var b = new OnnxGraphBuilder("if_model", settings);
        var x = b.Input("x", DataType.Float, 1, 16);
        var w = b.Weight("outer_weight", 1f, 16);
        var sum = b.Op("ReduceSum", x, Attr.Int("keepdims", 0));
        var cond = b.Op("Greater", new[] { sum, b.Scalar(0f) });

        var thenBranch = b.Subgraph("then_branch");
        thenBranch.Expose(thenBranch.Op("Mul", new[] { x, w }), "then_out", DataType.Float, 1, 16);
        var elseBranch = b.Subgraph("else_branch");
        elseBranch.Expose(elseBranch.Op("Sub", new[] { x, w }), "else_out", DataType.Float, 1, 16);

        var y = b.Node("If", new[] { cond }, 1, "/If",
            Attr.Graph("then_branch", thenBranch.Graph), Attr.Graph("else_branch", elseBranch.Graph))[0];
        b.Expose(y, "y", DataType.Float, 1, 16);
        return b.Build();
    }

    /// <summary>
    /// x [1, 16] → Loop 5 times: h = tanh(h·W + bias) with W and bias read from the outer scope. Output y [1, 16].
    /// </summary>
    public static ModelProto LoopModel(BuildSettings? settings = null, int iterations = 5)
    {
        var b = new OnnxGraphBuilder("loop_model", settings);
        var x = b.Input("x", DataType.Float, 1, 16);
        var w = b.Weight("loop_weight", 0.25f, 16, 16);
        var bias = b.Weight("loop_bias", 0.25f, 16);

        var body = b.Subgraph("loop_body");
        body.Input("iteration", DataType.Int64);
        var condIn = body.Input("cond_in", DataType.Bool);
        var carried = body.Input("carried", DataType.Float, 1, 16);
        body.Expose(body.Op("Identity", condIn), "cond_out", DataType.Bool);
        var next = body.Op("Tanh", body.Op("Add", new[] { body.Op("MatMul", new[] { carried, w }), bias }));
        body.Expose(next, "carried_out", DataType.Float, 1, 16);

        var y = b.Node("Loop", new[] { b.Int64Scalar(iterations), "", x }, 1, "/Loop", Attr.Graph("body", body.Graph))[0];
        b.Expose(y, "y", DataType.Float, 1, 16);
        return b.Build();
    }

    /// <summary>
    /// Small conv net with real random weights whose every node, tensor, doc string and metadata entry carries
    /// <see cref="PrivacyMarker"/>: the fixture for checking that exported bricks leak nothing of the source model.
    /// </summary>
    public static ModelProto Privacy(BuildSettings? settings = null)
    {
        const string m = PrivacyMarker;
        var b = new OnnxGraphBuilder($"{m}_vision_net", settings);
        b.Graph.DocString = $"{m} Corp proprietary classifier. Internal use only.";
        b.ModelDocString = $"{m} Corp confidential model, trained on {m} customer images.";
        b.Metadata.Add(new("owner", $"{m} Corp"));
        b.Metadata.Add(new("training_data", $"{m}_customer_photos_2026"));
        b.Metadata.Add(new("contact", "ml-team@secretacme.example"));

        var x = b.Input($"{m}_input_pixels", DataType.Float, 1, 3, 32, 32);
        string Layer(string input, string name, long inCh, long outCh, long stride)
        {
            var wt = b.Weight($"{m}_{name}_weight", 1f / MathF.Sqrt(inCh * 9), outCh, inCh, 3, 3);
            var bs = b.Weight($"{m}_{name}_bias", 0.1f, outCh);
            var conv = b.Node("Conv", new[] { input, wt, bs }, 1, $"{m}_{name}",
                Attr.Ints("kernel_shape", 3, 3), Attr.Ints("pads", 1, 1, 1, 1), Attr.Ints("strides", stride, stride))[0];
            b.Graph.Node[^1].DocString = $"{m} {name}: tuned on confidential data";
            return b.Node("Relu", new[] { conv }, 1, $"{m}_{name}_relu")[0];
        }
        x = Layer(x, "conv1", 3, 16, 1);
        x = Layer(x, "conv2", 16, 32, 2);
        x = Layer(x, "conv3", 32, 32, 2);
        x = b.Node("GlobalAveragePool", new[] { x }, 1, $"{m}_pool")[0];
        x = b.Node("Flatten", new[] { x }, 1, $"{m}_flatten", Attr.Int("axis", 1))[0];
        var fcW = b.Weight($"{m}_classifier_weight", 1f / MathF.Sqrt(32), 10, 32);
        var fcB = b.Weight($"{m}_classifier_bias", 0.1f, 10);
        x = b.Node("Gemm", new[] { x, fcW, fcB }, 1, $"{m}_classifier", Attr.Int("transB", 1))[0];
        b.Expose(x, $"{m}_scores", DataType.Float, 1, 10);
        return b.Build();
    }

    /// <summary>
    /// A chain of exactly <paramref name="layers"/> nodes repeating MatMul/Add/Relu on [1, width] tensors, for
    /// split-speed benchmarks. Weights are contractions (|W| &lt; 1) plus a bias, so values stay bounded at any depth.
    /// </summary>
    public static ModelProto Chain(int layers, int width = 16, BuildSettings? settings = null)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), "A chain needs at least one layer.");
        var b = new OnnxGraphBuilder($"chain_{layers}", settings);
        var x = b.Input("x", DataType.Float, 1, width);
        float bound = 0.5f / MathF.Sqrt(width);
        for (int i = 0; b.NodeCount < layers; i++)
        {
            x = b.Op("MatMul", new[] { x, b.Weight($"layer{i}.weight", bound, width, width) });
            if (b.NodeCount == layers) break;
            x = b.Op("Add", new[] { x, b.Weight($"layer{i}.bias", 0.1f, width) });
            if (b.NodeCount == layers) break;
            x = b.Op("Relu", x);
        }
        b.Expose(x, "y", DataType.Float, 1, width);
        return b.Build();
    }
}
