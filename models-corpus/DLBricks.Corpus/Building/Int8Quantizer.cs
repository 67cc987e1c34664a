using System.Runtime.InteropServices;
using DLBricks.Onnx.Protos;
using Google.Protobuf;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Corpus.Building;

/// <summary>The two ways ONNX expresses an int8 model.</summary>
public enum Int8Encoding
{
    /// <summary>
    /// Tensor-oriented: QuantizeLinear/DequantizeLinear pairs around the float Conv/Gemm/MatMul, int8 weights and int32
    /// biases behind DequantizeLinear (what ONNX Runtime's static quantizer writes in QDQ format). ONNX Runtime's graph
    /// optimizer turns these into QLinear* kernels.
    /// </summary>
    Qdq,

    /// <summary>
    /// Operator-oriented: QLinearConv for convolutions, QLinearMatMul for classifier/pooler Gemms and
    /// DynamicQuantizeLinear + MatMulInteger for transformer linears, with QuantizeLinear/DequantizeLinear only where a
    /// float op sits between quantized ones.
    /// </summary>
    Operator,
}

/// <summary>
/// Turns a float model built by a family into an int8 model, the way a post-training quantizer would: BatchNorm is
/// folded into the preceding Conv, weights are quantized symmetrically to int8 from the seeded float weights (per output
/// channel for Conv and MatMulInteger, per tensor for Gemm/MatMul otherwise), biases to int32 with scale
/// x_scale·w_scale, and activations to uint8 with seeded scales — zero point 0 after ReLU/ReLU6 (which lets the
/// activation be fused) and a non-zero zero point elsewhere. There is no calibration: the scales are plausible rather
/// than tuned, which changes no kernel's path or cost.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>Seed offset of the activation-scale stream, so weights and scales never share a stream.</summary>
    private const int ScaleSeedSalt = 0x5CA1E;

    /// <summary>Returns an int8 copy of <paramref name="model"/>; the input model is not modified.</summary>
    /// <param name="model">A float model with Conv/Gemm/MatMul layers whose weights are initializers.</param>
    /// <param name="encoding">QDQ or operator-oriented.</param>
    /// <param name="settings">The settings the float model was built with (seed of the scales; structure-only).</param>
    public static ModelProto Quantize(ModelProto model, Int8Encoding encoding, BuildSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        var copy = model.Clone();
        var pass = new Pass(copy.Graph, settings);
        pass.FoldBatchNorms();
        if (encoding == Int8Encoding.Qdq) pass.EmitQdq();
        else pass.EmitOperators();
        pass.RemoveUnusedInitializers();
        copy.Graph.Name += encoding == Int8Encoding.Qdq ? "_int8_qdq" : "_int8_qop";
        return copy;
    }

    private enum ActivationKind { Input, Relu, Relu6, Other }

    private sealed record QuantParams(string Scale, string ZeroPoint, float ScaleValue);

    private sealed class Pass(GraphProto graph, BuildSettings settings)
    {
        private readonly WeightRandom _random = new(unchecked(settings.Seed ^ ScaleSeedSalt));
        private readonly Dictionary<string, QuantParams> _activations = new(StringComparer.Ordinal);
        private readonly List<NodeProto> _out = new();
        private Dictionary<string, TensorProto> _initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        private Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
        private Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        private void Index()
        {
            _initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
            _producers = new(StringComparer.Ordinal);
            _consumers = new(StringComparer.Ordinal);
            foreach (var n in graph.Node)
            {
                foreach (var o in n.Output) _producers[o] = n;
                foreach (var i in n.Input.Where(i => i.Length > 0))
                {
                    if (!_consumers.TryGetValue(i, out var list)) _consumers[i] = list = new();
                    list.Add(n);
                }
            }
        }

        // ---- BatchNorm folding ----

        public void FoldBatchNorms()
        {
            Index();
            var removed = new HashSet<NodeProto>();
            foreach (var bn in graph.Node.Where(n => n.OpType == "BatchNormalization").ToList())
            {
                if (!_producers.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv") continue;
                if (_consumers[conv.Output[0]].Count != 1 || _graphOutputs.Contains(conv.Output[0])) continue;
                var weight = _initializers[conv.Input[1]];
                long outChannels = weight.Dims[0];
                float epsilon = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
                float[]? w = Floats(weight), gamma = Floats(_initializers[bn.Input[1]]), beta = Floats(_initializers[bn.Input[2]]),
                    mean = Floats(_initializers[bn.Input[3]]), variance = Floats(_initializers[bn.Input[4]]);
                float[]? bias = conv.Input.Count > 2 ? Floats(_initializers[conv.Input[2]]) : new float[outChannels];
                // The folded bias takes over BatchNorm's shift tensor (and its name), as exporters' fused models do.
                var biasTensor = _initializers[bn.Input[2]];
                if (w is not null && gamma is not null && beta is not null && mean is not null && variance is not null && bias is not null)
                {
                    long inner = w.Length / outChannels;
                    var folded = new float[outChannels];
                    for (long c = 0; c < outChannels; c++)
                    {
                        float factor = gamma[c] / MathF.Sqrt(variance[c] + epsilon);
                        for (long k = 0; k < inner; k++) w[c * inner + k] *= factor;
                        folded[c] = (bias[c] - mean[c]) * factor + beta[c];
                    }
                    weight.RawData = FloatBytes(w);
                    biasTensor.RawData = FloatBytes(folded);
                }
                if (conv.Input.Count > 2) conv.Input[2] = biasTensor.Name;
                else conv.Input.Add(biasTensor.Name);
                conv.Output[0] = bn.Output[0];
                removed.Add(bn);
            }
            var kept = graph.Node.Where(n => !removed.Contains(n)).ToList();
            graph.Node.Clear();
            graph.Node.AddRange(kept);
            Index();
        }

        // ---- QDQ ----

        public void EmitQdq()
        {
            var quantized = new List<string>();
            var set = new HashSet<string>(StringComparer.Ordinal);
            void Mark(string t) { if (!_graphOutputs.Contains(t) && set.Add(t)) quantized.Add(t); }
            foreach (var n in graph.Node.Where(IsQuantizable))
            {
                Mark(n.Input[0]);
                Mark(LogicalOutput(n).Tensor);
            }

            var rename = new Dictionary<string, string>(StringComparer.Ordinal);
            void QuantizeDequantize(string tensor)
            {
                var p = Activation(tensor);
                string q = Emit("QuantizeLinear", tensor + "_QuantizeLinear", new[] { tensor, p.Scale, p.ZeroPoint }, tensor + "_quantized");
                rename[tensor] = Emit("DequantizeLinear", tensor + "_DequantizeLinear", new[] { q, p.Scale, p.ZeroPoint }, tensor + "_dequantized");
            }

            foreach (var input in graph.Input.Select(i => i.Name).Where(set.Contains)) QuantizeDequantize(input);
            foreach (var original in graph.Node.ToList())
            {
                var node = original.Clone();
                for (int i = 0; i < node.Input.Count; i++)
                    if (rename.TryGetValue(node.Input[i], out var r)) node.Input[i] = r;
                if (IsQuantizable(original))
                {
                    var x = Activation(original.Input[0]);
                    var (weight, scales, axis) = QuantizeWeight(original);
                    var wScale = AddFloats(weight.Name + "_scale", scales, axis is null ? Array.Empty<long>() : new long[] { scales.Length });
                    var wZero = AddInt8(weight.Name + "_zero_point", new sbyte[scales.Length], axis is null ? Array.Empty<long>() : new long[] { scales.Length });
                    var attrs = axis is { } a ? new[] { Attr.Int("axis", a) } : Array.Empty<AttributeProto>();
                    node.Input[1] = Emit("DequantizeLinear", weight.Name + "_DequantizeLinear", new[] { weight.Name, wScale, wZero }, original.Input[1] + "_dequantized", attrs);
                    if (original.OpType != "MatMul" && original.Input.Count > 2)
                    {
                        var (bias, biasScales) = QuantizeBias(original.Input[2], x.ScaleValue, scales);
                        var bScale = AddFloats(bias + "_scale", biasScales, axis is null ? Array.Empty<long>() : new long[] { biasScales.Length });
                        node.Input[2] = Emit("DequantizeLinear", bias + "_DequantizeLinear", new[] { bias, bScale }, original.Input[2] + "_dequantized",
                            axis is null ? Array.Empty<AttributeProto>() : new[] { Attr.Int("axis", 0) });
                    }
                }
                _out.Add(node);
                foreach (var o in original.Output.Where(set.Contains)) QuantizeDequantize(o);
            }
            graph.Node.Clear();
            graph.Node.AddRange(_out);
        }

        // ---- operator-oriented ----

        public void EmitOperators()
        {
            var quantizedOnly = new Dictionary<string, (string Tensor, QuantParams Params)>(StringComparer.Ordinal);
            var quantizedInputs = new Dictionary<string, string>(StringComparer.Ordinal);
            var dynamic = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var skipped = new HashSet<NodeProto>();

            void EnsureFloat(string tensor)
            {
                if (!quantizedOnly.Remove(tensor, out var q)) return;
                Emit("DequantizeLinear", tensor + "_DequantizeLinear", new[] { q.Tensor, q.Params.Scale, q.Params.ZeroPoint }, tensor);
            }

            string Quantized(string tensor)
            {
                if (quantizedOnly.TryGetValue(tensor, out var q)) return q.Tensor;
                if (quantizedInputs.TryGetValue(tensor, out var existing)) return existing;
                var p = Activation(tensor);
                return quantizedInputs[tensor] = Emit("QuantizeLinear", tensor + "_QuantizeLinear", new[] { tensor, p.Scale, p.ZeroPoint }, tensor + "_quantized");
            }

            foreach (var node in graph.Node.ToList())
            {
                if (skipped.Contains(node)) continue;
                if (!IsQuantizable(node))
                {
                    foreach (var i in node.Input) EnsureFloat(i);
                    _out.Add(node);
                    continue;
                }

                var x = node.Input[0];
                if (node.OpType == "MatMul")
                {
                    // Dynamic quantization as ONNX Runtime's quantize_dynamic writes it for transformer linears.
                    EnsureFloat(x);
                    if (!dynamic.TryGetValue(x, out var dq))
                        dynamic[x] = dq = Emit3("DynamicQuantizeLinear", x + "_DynamicQuantizeLinear", x, x + "_dynamic_quantized", x + "_dynamic_scale", x + "_dynamic_zero_point");
                    var (weight, scales, _) = QuantizeWeight(node, matMulPerColumn: true);
                    var wScale = AddFloats(weight.Name + "_scale", scales, new long[] { scales.Length });
                    var wZero = AddInt8(weight.Name + "_zero_point", new sbyte[1], Array.Empty<long>());
                    var product = Emit("MatMulInteger", node.Name + "_MatMulInteger", new[] { dq[0], weight.Name, dq[2], wZero }, node.Output[0] + "_int32");
                    var asFloat = Emit("Cast", node.Name + "_Cast", new[] { product }, node.Output[0] + "_cast", Attr.Int("to", (long)DataType.Float));
                    var scale = Emit("Mul", node.Name + "_ScaleMul", new[] { dq[1], wScale }, node.Output[0] + "_scale");
                    Emit("Mul", node.Name + "_OutputMul", new[] { asFloat, scale }, node.Output[0]);
                    continue;
                }

                var xq = Quantized(x);
                var xp = Activation(x);
                if (node.OpType == "Conv")
                {
                    var (output, activation) = LogicalOutput(node);
                    if (activation is not null) skipped.Add(activation);
                    var y = Activation(output);
                    var (weight, scales, _) = QuantizeWeight(node);
                    var wScale = AddFloats(weight.Name + "_scale", scales, new long[] { scales.Length });
                    var wZero = AddInt8(weight.Name + "_zero_point", new sbyte[scales.Length], new long[] { scales.Length });
                    var inputs = new List<string> { xq, xp.Scale, xp.ZeroPoint, weight.Name, wScale, wZero, y.Scale, y.ZeroPoint };
                    if (node.Input.Count > 2) inputs.Add(QuantizeBias(node.Input[2], xp.ScaleValue, scales).Name);
                    string yq = Emit("QLinearConv", node.Name + "_quant", inputs, output + "_quantized", node.Attribute.Select(a => a.Clone()).ToArray());
                    quantizedOnly[output] = (yq, y);
                    continue;
                }

                // Gemm (transB = 1, alpha = beta = 1): QLinearMatMul on the transposed weight, float bias added after.
                {
                    var (weight, scales, _) = QuantizeWeight(node, transpose: true);
                    var wScale = AddFloats(weight.Name + "_scale", scales, Array.Empty<long>());
                    var wZero = AddInt8(weight.Name + "_zero_point", new sbyte[1], Array.Empty<long>());
                    string product = node.Output[0] + "_MatMul";
                    var y = Activation(product, ActivationKind.Other);
                    string yq = Emit("QLinearMatMul", node.Name + "_quant",
                        new[] { xq, xp.Scale, xp.ZeroPoint, weight.Name, wScale, wZero, y.Scale, y.ZeroPoint }, product + "_quantized");
                    quantizedOnly[product] = (yq, y);
                    EnsureFloat(product);
                    Emit("Add", node.Name + "_Bias", new[] { product, node.Input[2] }, node.Output[0]);
                }
            }
            foreach (var o in graph.Output) EnsureFloat(o.Name);
            graph.Node.Clear();
            graph.Node.AddRange(_out);
        }

        // ---- shared ----

        public void RemoveUnusedInitializers()
        {
            var used = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
            var kept = graph.Initializer.Where(t => used.Contains(t.Name)).ToList();
            graph.Initializer.Clear();
            graph.Initializer.AddRange(kept);
        }

        private bool IsQuantizable(NodeProto n) => n.OpType switch
        {
            "Conv" => _initializers.ContainsKey(n.Input[1]),
            "Gemm" => _initializers.ContainsKey(n.Input[1]) && n.Input.Count > 2 && TransB(n),
            "MatMul" => _initializers.ContainsKey(n.Input[1]) && _initializers[n.Input[1]].Dims.Count == 2,
            _ => false,
        };

        private static bool TransB(NodeProto n) => n.Attribute.FirstOrDefault(a => a.Name == "transB")?.I == 1;

        /// <summary>The tensor a quantized op's output scale applies to: past a ReLU or ReLU6 that quantization absorbs.</summary>
        private (string Tensor, NodeProto? Activation) LogicalOutput(NodeProto n)
        {
            var y = n.Output[0];
            if (n.OpType != "Conv" || _graphOutputs.Contains(y) || !_consumers.TryGetValue(y, out var users) || users.Count != 1) return (y, null);
            var next = users[0];
            return Kind(next) is ActivationKind.Relu or ActivationKind.Relu6 ? (next.Output[0], next) : (y, null);
        }

        private ActivationKind Kind(NodeProto? producer)
        {
            if (producer is null) return ActivationKind.Input;
            if (producer.OpType == "Relu") return ActivationKind.Relu;
            if (producer.OpType == "Clip" && producer.Input.Count == 3
                && ScalarValue(producer.Input[1]) == 0f && ScalarValue(producer.Input[2]) == 6f) return ActivationKind.Relu6;
            return ActivationKind.Other;
        }

        private float? ScalarValue(string name) =>
            _initializers.TryGetValue(name, out var t) && Floats(t) is { Length: 1 } v ? v[0] : null;

        /// <summary>Scale and zero point of an activation tensor, drawn once per tensor in graph order.</summary>
        private QuantParams Activation(string tensor, ActivationKind? kind = null)
        {
            if (_activations.TryGetValue(tensor, out var known)) return known;
            var (scale, zero) = (kind ?? Kind(_producers.GetValueOrDefault(tensor))) switch
            {
                ActivationKind.Input => (2f / 255f, (byte)128),
                ActivationKind.Relu => (_random.NextFloat(0.01f, 0.04f), (byte)0),
                ActivationKind.Relu6 => (6f / 255f, (byte)0),
                _ => (_random.NextFloat(0.02f, 0.08f), (byte)(116 + (int)(_random.NextUnit() * 24))),
            };
            var p = new QuantParams(AddFloats(tensor + "_scale", new[] { scale }, Array.Empty<long>()),
                AddUInt8(tensor + "_zero_point", zero), scale);
            return _activations[tensor] = p;
        }

        /// <summary>
        /// Symmetric int8 weight: per output channel for Conv (axis 0) and for MatMulInteger's columns, per tensor
        /// otherwise. In structure-only builds the int8 tensor has no data and the scales are a fixed 1/127.
        /// </summary>
        private (TensorProto Weight, float[] Scales, long? Axis) QuantizeWeight(NodeProto node, bool transpose = false, bool matMulPerColumn = false)
        {
            var source = _initializers[node.Input[1]];
            var dims = source.Dims.ToArray();
            float[]? w = Floats(source);
            if (transpose && w is not null) w = Transpose(w, dims[0], dims[1]);
            if (transpose) dims = new[] { dims[1], dims[0] };
            long? axis = node.OpType == "Conv" ? 0 : matMulPerColumn ? 1 : null;
            long channels = axis is { } a ? dims[a] : 1;
            long inner = 1;
            if (axis is { } ax) for (long d = ax + 1; d < dims.Length; d++) inner *= dims[d];
            long Channel(long i) => axis is null ? 0 : i / inner % channels;

            var scales = new float[channels];
            Array.Fill(scales, 1f / 127f);
            var tensor = new TensorProto { Name = source.Name + "_quantized", DataType = (int)DataType.Int8 };
            tensor.Dims.AddRange(dims);
            if (w is not null)
            {
                var max = new float[channels];
                for (long i = 0; i < w.Length; i++) max[Channel(i)] = MathF.Max(max[Channel(i)], MathF.Abs(w[i]));
                for (long c = 0; c < channels; c++) scales[c] = MathF.Max(max[c], 1e-6f) / 127f;
                var q = new byte[w.Length];
                for (long i = 0; i < w.Length; i++)
                    q[i] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(w[i] / scales[Channel(i)]), -127f, 127f));
                tensor.RawData = UnsafeByteOperations.UnsafeWrap(q);
            }
            graph.Initializer.Add(tensor);
            return (tensor, scales, axis);
        }

        /// <summary>int32 bias with scale x_scale·w_scale (per channel when the weight is), as quantizers write it.</summary>
        private (string Name, float[] Scales) QuantizeBias(string biasName, float xScale, float[] weightScales)
        {
            var source = _initializers[biasName];
            long count = source.Dims.Aggregate(1L, (p, d) => p * d);
            var scales = weightScales.Select(s => s * xScale).ToArray();
            var tensor = new TensorProto { Name = biasName + "_quantized", DataType = (int)DataType.Int32 };
            tensor.Dims.AddRange(source.Dims);
            if (Floats(source) is { } b)
            {
                var q = new int[count];
                for (long i = 0; i < count; i++)
                    q[i] = (int)Math.Clamp(Math.Round(b[i] / (double)scales[scales.Length == 1 ? 0 : i]), int.MinValue, int.MaxValue);
                tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(q.AsSpan()).ToArray().LittleEndian());
            }
            graph.Initializer.Add(tensor);
            return (tensor.Name, scales);
        }

        private string Emit(string opType, string name, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = opType, Name = name };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            _out.Add(node);
            return output;
        }

        private string[] Emit3(string opType, string name, string input, params string[] outputs)
        {
            var node = new NodeProto { OpType = opType, Name = name };
            node.Input.Add(input);
            node.Output.AddRange(outputs);
            _out.Add(node);
            return outputs;
        }

        private string AddFloats(string name, float[] values, long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = FloatBytes(values) };
            t.Dims.AddRange(dims);
            graph.Initializer.Add(t);
            return name;
        }

        private string AddInt8(string name, sbyte[] values, long[] dims)
        {
            var t = new TensorProto { Name = name, DataType = (int)DataType.Int8, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
            t.Dims.AddRange(dims);
            graph.Initializer.Add(t);
            return name;
        }

        private string AddUInt8(string name, byte value)
        {
            graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)DataType.Uint8, RawData = ByteString.CopyFrom(value) });
            return name;
        }
    }

    private static float[]? Floats(TensorProto t)
    {
        if (t.DataType != (int)DataType.Float) return null;
        if (!t.RawData.IsEmpty)
        {
            var bytes = t.RawData.ToByteArray().LittleEndian();
            return MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();
        }
        return t.FloatData.Count > 0 ? t.FloatData.ToArray() : null;
    }

    private static ByteString FloatBytes(float[] values) =>
        ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()).ToArray().LittleEndian());

    private static float[] Transpose(float[] w, long rows, long columns)
    {
        var t = new float[w.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++) t[c * rows + r] = w[r * columns + c];
        return t;
    }
}
