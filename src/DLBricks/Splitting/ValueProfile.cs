using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;

namespace DLBricks.Splitting;

/// <summary>Sign of every element of a tensor, as far as a regenerated value must keep it.</summary>
internal enum ValueSign
{
    /// <summary>Not known (the value was folded from other constants and is too large to have been kept).</summary>
    Unknown,
    /// <summary>Every element &gt; 0 (scales, variances, epsilons, non-zero zero points).</summary>
    Positive,
    /// <summary>Every element ≥ 0, some zero.</summary>
    NonNegative,
    /// <summary>Every element &lt; 0.</summary>
    Negative,
    /// <summary>Every element ≤ 0, some zero.</summary>
    NonPositive,
    /// <summary>Both signs occur (ordinary weights).</summary>
    Mixed,
}

/// <summary>
/// What a regenerated value keeps of the original: the properties that can select a different kernel path or change the
/// numeric regime of a brick, never the values. <see cref="AllZero"/> keeps symmetric quantization (zero points all zero)
/// and zero biases; <see cref="Sign"/> keeps scales and variances positive and denominators away from zero;
/// <see cref="MagnitudeBucket"/> keeps one-signed values (scales, epsilons) within the same three decades of magnitude.
/// </summary>
/// <param name="AllZero">Every element is zero (or false).</param>
/// <param name="Sign">Sign of the elements.</param>
/// <param name="MagnitudeBucket">
/// For one-signed floating-point values: ⌊log10(max |x|) / 3⌋, so [1e-3, 1) is bucket -1 and [1, 1e3) bucket 0; null for
/// integers, mixed-sign values (weights, scaled by fan-in instead) and unknown values.
/// </param>
internal sealed record ValueProfile(bool AllZero, ValueSign Sign, int? MagnitudeBucket)
{
    /// <summary>Nothing known about the original value.</summary>
    public static ValueProfile Unknown { get; } = new(false, ValueSign.Unknown, null);

    /// <summary>Canonical text of the profile, mixed into the brick hash: bricks differing only in it time differently.</summary>
    public string Tag => AllZero ? "zero" : MagnitudeBucket is { } b ? $"{Sign}:{b}" : Sign.ToString();

    /// <summary>The profile of floating-point values.</summary>
    public static ValueProfile OfFloats(ReadOnlySpan<float> values)
    {
        if (values.Length == 0) return Unknown;
        bool pos = false, neg = false, zero = false;
        var max = 0f;
        foreach (var v in values)
        {
            if (v > 0) pos = true;
            else if (v < 0) neg = true;
            else zero = true;
            var a = Math.Abs(v);
            if (a > max && float.IsFinite(a)) max = a;
        }
        var sign = SignOf(pos, neg, zero);
        if (sign is null) return new ValueProfile(true, ValueSign.NonNegative, null);
        int? bucket = sign is ValueSign.Mixed || max == 0 ? null : (int)Math.Floor(Math.Log10(max) / 3);
        return new ValueProfile(false, sign.Value, bucket);
    }

    /// <summary>The profile of integer or bool values.</summary>
    public static ValueProfile OfIntegers(ReadOnlySpan<long> values)
    {
        if (values.Length == 0) return Unknown;
        bool pos = false, neg = false, zero = false;
        foreach (var v in values)
        {
            if (v > 0) pos = true;
            else if (v < 0) neg = true;
            else zero = true;
        }
        var sign = SignOf(pos, neg, zero);
        return sign is null ? new ValueProfile(true, ValueSign.NonNegative, null) : new ValueProfile(false, sign.Value, null);
    }

    /// <summary>The profile of a stored tensor; <see cref="Unknown"/> for types without numbers (strings).</summary>
    public static ValueProfile Of(TensorProto tensor, OnnxModel? model)
    {
        // Large float32 weights: read in place; this runs once for every weight of a model.
        if (tensor.DataType == (int)TensorProto.Types.DataType.Float && BitConverter.IsLittleEndian)
        {
            if (ExternalData.IsExternal(tensor) && model is not null)
                return OfFloats(MemoryMarshal.Cast<byte, float>(ExternalData.ReadBytes(model, tensor).AsSpan()));
            if (!tensor.RawData.IsEmpty) return OfFloats(MemoryMarshal.Cast<byte, float>(tensor.RawData.Span));
        }
        if (ElementTypes.IsFloat(tensor.DataType)) return OfFloats(TensorValues.ReadFloats(tensor, model));
        if (ElementTypes.IsInteger(tensor.DataType) || tensor.DataType == (int)TensorProto.Types.DataType.Bool)
            return OfIntegers(TensorValues.ReadIntegers(tensor, model));
        return Unknown;
    }

    private static ValueSign? SignOf(bool pos, bool neg, bool zero) => (pos, neg, zero) switch
    {
        (false, false, _) => null,
        (true, false, false) => ValueSign.Positive,
        (true, false, true) => ValueSign.NonNegative,
        (false, true, false) => ValueSign.Negative,
        (false, true, true) => ValueSign.NonPositive,
        _ => ValueSign.Mixed,
    };

    private static readonly ConditionalWeakTable<LayerGraph, ConcurrentDictionary<string, ValueProfile>> Cache = new();
    private static readonly ConditionalWeakTable<LayerGraph, Dictionary<string, TensorProto>> Stored = new();

    /// <summary>
    /// The profile of a constant of <paramref name="graph"/>: from its initializer or <c>Constant</c> node when it has one,
    /// else from the values the shape probe kept, else <see cref="Unknown"/>. Read once per tensor and graph.
    /// </summary>
    public static ValueProfile OfConstant(LayerGraph graph, string tensor) =>
        Cache.GetValue(graph, _ => new ConcurrentDictionary<string, ValueProfile>(StringComparer.Ordinal))
            .GetOrAdd(tensor, name => Read(graph, name));

    private static ValueProfile Read(LayerGraph graph, string name)
    {
        var stored = Stored.GetValue(graph, g =>
        {
            var map = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
            foreach (var node in g.Model.Proto.Graph.Node)
                if (node.OpType == "Constant" && node.Output.Count == 1 && ConstantValue(node) is { } value)
                    map[node.Output[0]] = value;
            foreach (var init in g.Model.Proto.Graph.Initializer) map[init.Name] = init;
            return map;
        });
        try
        {
            if (stored.TryGetValue(name, out var tensor)) return Of(tensor, graph.Model);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            // Unreadable data: the slot falls back to its range by op and shape, which is what an unknown value gets.
            return Unknown;
        }
        if (graph.Tensors.TryGetValue(name, out var info))
        {
            if (info.IntegerValues is { } ints) return OfIntegers(ints);
            if (info.FloatValues is { } floats) return OfFloats(floats);
        }
        return Unknown;
    }

    /// <summary>The tensor a <c>Constant</c> node produces, for the attribute kinds that carry numbers.</summary>
    internal static TensorProto? ConstantValue(NodeProto node)
    {
        foreach (var a in node.Attribute)
        {
            switch (a.Name)
            {
                case "value" when a.T is not null: return a.T;
                case "value_float": return TensorValues.FromFloats("", (int)TensorProto.Types.DataType.Float, [], [a.F]);
                case "value_floats": return TensorValues.FromFloats("", (int)TensorProto.Types.DataType.Float, [a.Floats.Count], a.Floats.ToArray());
                case "value_int": return TensorValues.FromIntegers("", (int)TensorProto.Types.DataType.Int64, [], [a.I]);
                case "value_ints": return TensorValues.FromIntegers("", (int)TensorProto.Types.DataType.Int64, [a.Ints.Count], a.Ints.ToArray());
            }
        }
        return null;
    }
}
