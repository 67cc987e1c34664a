namespace DLBricks.Corpus.Building;

/// <summary>
/// Transformer layers in the shape PyTorch's exporter emits them: MatMul+Add linears, LayerNorm decomposed into
/// ReduceMean/Sub/Pow/Sqrt/Div, Erf GELU, and head splitting through Shape→Gather→Unsqueeze→Concat→Reshape so the
/// graph keeps symbolic batch and sequence dims.
/// </summary>
public static class TransformerLayers
{
    /// <summary>Linear layer on a rank-3 tensor: MatMul with an [in, out] weight, then Add of the bias.</summary>
    public static string Linear(this OnnxGraphBuilder b, string x, long inFeatures, long outFeatures, string name)
    {
        float bound = 1f / MathF.Sqrt(inFeatures);
        using var _ = b.Scope(name);
        var w = b.Weight("weight", bound, inFeatures, outFeatures);
        var bias = b.Weight("bias", bound, outFeatures);
        return b.Op("Add", new[] { bias, b.Op("MatMul", new[] { x, w }) });
    }

    /// <summary>LayerNorm over the last axis, decomposed as older exporters emit it.</summary>
    public static string LayerNorm(this OnnxGraphBuilder b, string x, long features, string name, float epsilon = 1e-12f)
    {
        using var _ = b.Scope(name);
        var mean = b.Op("ReduceMean", x, Attr.Ints("axes", -1), Attr.Int("keepdims", 1));
        var centered = b.Op("Sub", new[] { x, mean });
        var variance = b.Op("ReduceMean", b.Op("Pow", new[] { centered, b.Scalar(2f) }), Attr.Ints("axes", -1), Attr.Int("keepdims", 1));
        var std = b.Op("Sqrt", b.Op("Add", new[] { variance, b.Scalar(epsilon) }));
        var normalized = b.Op("Div", new[] { centered, std });
        var gamma = b.Uniform("weight", 0.9f, 1.1f, features);
        var beta = b.Uniform("bias", -0.05f, 0.05f, features);
        return b.Op("Add", new[] { b.Op("Mul", new[] { normalized, gamma }), beta });
    }

    /// <summary>Exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))).</summary>
    public static string GeluErf(this OnnxGraphBuilder b, string x)
    {
        var erf = b.Op("Erf", b.Op("Div", new[] { x, b.Scalar(1.4142135f) }));
        var half = b.Op("Mul", new[] { b.Op("Mul", new[] { x, b.Op("Add", new[] { erf, b.Scalar(1f) }) }), b.Scalar(0.5f) });
        return half;
    }

    /// <summary>GPT-2's tanh GELU: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).</summary>
    public static string GeluTanh(this OnnxGraphBuilder b, string x)
    {
        var cube = b.Op("Pow", new[] { x, b.Scalar(3f) });
        var inner = b.Op("Add", new[] { x, b.Op("Mul", new[] { cube, b.Scalar(0.044715f) }) });
        var t = b.Op("Tanh", b.Op("Mul", new[] { inner, b.Scalar(0.7978846f) }));
        return b.Op("Mul", new[] { b.Op("Mul", new[] { x, b.Scalar(0.5f) }), b.Op("Add", new[] { t, b.Scalar(1f) }) });
    }

    /// <summary>Dimension <paramref name="axis"/> of a Shape output as a 1-element int64 vector (Gather→Unsqueeze).</summary>
    public static string DimOf(this OnnxGraphBuilder b, string shape, long axis)
    {
        var scalar = b.Op("Gather", new[] { shape, b.Int64Scalar(axis) }, Attr.Int("axis", 0));
        return b.Op("Unsqueeze", new[] { scalar, b.Int64Vector(0) });
    }

    /// <summary>Position ids [1, seq] for a [batch, seq] id tensor: Shape→Gather→Range→Unsqueeze.</summary>
    public static string PositionIds(this OnnxGraphBuilder b, string inputIds)
    {
        var shape = b.Op("Shape", inputIds);
        var seq = b.Op("Gather", new[] { shape, b.Int64Scalar(1) }, Attr.Int("axis", 0));
        var range = b.Op("Range", new[] { b.Int64Scalar(0), seq, b.Int64Scalar(1) });
        return b.Op("Unsqueeze", new[] { range, b.Int64Vector(0) });
    }

    /// <summary>Multi-head self-attention on [batch, seq, hidden] with an optional additive mask or causal mask.</summary>
    /// <param name="b">Builder.</param>
    /// <param name="x">Input [batch, seq, hidden].</param>
    /// <param name="hidden">Hidden size.</param>
    /// <param name="heads">Number of heads; must divide <paramref name="hidden"/>.</param>
    /// <param name="name">Scope name.</param>
    /// <param name="additiveMask">Optional mask broadcastable to [batch, heads, seq, seq] added to the scores.</param>
    /// <param name="causalTable">Optional bool [1, 1, max, max] lower-triangular table sliced to [seq, seq].</param>
    /// <param name="fusedQkv">Emit one [hidden, 3·hidden] projection followed by Split (GPT-2 style).</param>
    public static string SelfAttention(this OnnxGraphBuilder b, string x, long hidden, long heads, string name,
        string? additiveMask = null, string? causalTable = null, bool fusedQkv = false)
    {
        if (hidden % heads != 0) throw new ArgumentException($"Attention {name}: hidden {hidden} not divisible by {heads} heads.");
        long headDim = hidden / heads;
        using var _ = b.Scope(name);
        var shape = b.Op("Shape", x);
        var batch = b.DimOf(shape, 0);
        var seq = b.DimOf(shape, 1);
        var headShape = b.Op("Concat", new[] { batch, seq, b.Int64Vector(heads), b.Int64Vector(headDim) }, Attr.Int("axis", 0));

        string q, k, v;
        if (fusedQkv)
        {
            var qkv = b.Linear(x, hidden, 3 * hidden, "c_attn");
            var parts = b.Node("Split", new[] { qkv, b.Int64Vector(hidden, hidden, hidden) }, 3, null, Attr.Int("axis", 2));
            (q, k, v) = (parts[0], parts[1], parts[2]);
        }
        else
        {
            q = b.Linear(x, hidden, hidden, "query");
            k = b.Linear(x, hidden, hidden, "key");
            v = b.Linear(x, hidden, hidden, "value");
        }

        var qh = b.Op("Transpose", b.Op("Reshape", new[] { q, headShape }), Attr.Ints("perm", 0, 2, 1, 3));
        var kt = b.Op("Transpose", b.Op("Reshape", new[] { k, headShape }), Attr.Ints("perm", 0, 2, 3, 1));
        var vh = b.Op("Transpose", b.Op("Reshape", new[] { v, headShape }), Attr.Ints("perm", 0, 2, 1, 3));

        var scores = b.Op("Div", new[] { b.Op("MatMul", new[] { qh, kt }), b.Scalar(MathF.Sqrt(headDim)) });
        if (additiveMask is not null) scores = b.Op("Add", new[] { scores, additiveMask });
        if (causalTable is not null)
        {
            var ends = b.Op("Concat", new[] { seq, seq }, Attr.Int("axis", 0));
            var mask = b.Op("Slice", new[] { causalTable, b.Int64Vector(0, 0), ends, b.Int64Vector(2, 3) });
            scores = b.Op("Where", new[] { mask, scores, b.Scalar(float.MinValue) });
        }
        var probs = b.Op("Softmax", scores, Attr.Int("axis", -1));
        var context = b.Op("Transpose", b.Op("MatMul", new[] { probs, vh }), Attr.Ints("perm", 0, 2, 1, 3));
        var mergedShape = b.Op("Concat", new[] { batch, seq, b.Int64Vector(hidden) }, Attr.Int("axis", 0));
        var merged = b.Op("Reshape", new[] { context, mergedShape });
        return b.Linear(merged, hidden, hidden, fusedQkv ? "c_proj" : "output");
    }

    /// <summary>Lower-triangular bool table [1, 1, n, n] for causal attention.</summary>
    public static string CausalTable(this OnnxGraphBuilder b, long n, string name = "causal_mask")
    {
        var values = new bool[n * n];
        for (long i = 0; i < n; i++)
            for (long j = 0; j <= i; j++) values[i * n + j] = true;
        return b.Bools(name, values, new long[] { 1, 1, n, n });
    }
}
