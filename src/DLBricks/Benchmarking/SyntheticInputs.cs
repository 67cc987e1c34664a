using System.Runtime.InteropServices;
using DLBricks.Export;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using DLBricks.Splitting;

namespace DLBricks.Benchmarking;

/// <summary>
/// Makes the input tensors a benchmark feeds: floats uniform in [<see cref="FloatMin"/>, <see cref="FloatMax"/>) from a seeded
/// generator, integers from the spec's <see cref="BrickTensor.Values"/> (verbatim) or its Min/Max range, random booleans and
/// short strings. The same seed gives the same tensors, so two runs of a brick see identical data.
/// </summary>
internal static class SyntheticInputs
{
    /// <summary>Lower bound of generated floating-point values.</summary>
    public const float FloatMin = -1f;

    /// <summary>Upper bound (exclusive) of generated floating-point values.</summary>
    public const float FloatMax = 1f;

    /// <summary>A stable seed for a brick: the leading 32 bits of its hex hash, or of the SHA-256 of any other text.</summary>
    public static int SeedFrom(string hash)
    {
        if (hash.Length >= 8 && int.TryParse(hash.AsSpan(0, 8), System.Globalization.NumberStyles.HexNumber, null, out var seed))
            return seed;
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(hash));
        return BitConverter.ToInt32(digest, 0);
    }

    /// <summary>Maps an ONNX element type name (<c>float</c>, <c>int64</c>, ...) to ONNX Runtime's enum.</summary>
    /// <exception cref="NotSupportedException">The type cannot be fed (complex numbers, unknown names).</exception>
    public static TensorElementType ParseElementType(string name) => name.ToLowerInvariant() switch
    {
        "float" or "float32" => TensorElementType.Float,
        "double" or "float64" => TensorElementType.Double,
        "float16" => TensorElementType.Float16,
        "bfloat16" => TensorElementType.BFloat16,
        "int8" => TensorElementType.Int8,
        "uint8" => TensorElementType.UInt8,
        "int16" => TensorElementType.Int16,
        "uint16" => TensorElementType.UInt16,
        "int32" => TensorElementType.Int32,
        "uint32" => TensorElementType.UInt32,
        "int64" => TensorElementType.Int64,
        "uint64" => TensorElementType.UInt64,
        "bool" => TensorElementType.Bool,
        "string" => TensorElementType.String,
        _ => throw new NotSupportedException($"cannot generate inputs of element type '{name}'."),
    };

    /// <summary>The ONNX name of an ONNX Runtime element type (inverse of <see cref="ParseElementType"/>).</summary>
    public static string ElementTypeName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Float16 => "float16",
        TensorElementType.BFloat16 => "bfloat16",
        TensorElementType.Int8 => "int8",
        TensorElementType.UInt8 => "uint8",
        TensorElementType.Int16 => "int16",
        TensorElementType.UInt16 => "uint16",
        TensorElementType.Int32 => "int32",
        TensorElementType.UInt32 => "uint32",
        TensorElementType.Int64 => "int64",
        TensorElementType.UInt64 => "uint64",
        TensorElementType.Bool => "bool",
        TensorElementType.String => "string",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>A whole model's resolved inputs as input specs: the same shapes and the same integer and bool values.</summary>
    public static IReadOnlyList<BrickTensor> SpecsFor(Graph.ModelInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return inputs.Inputs.Select(i => new BrickTensor(i.Name, Onnx.ElementTypes.Name(i.ElementType), i.Shape, Graph.ModelInputs.ExpandedIntegers(i))).ToList();
    }

    /// <summary>Creates one input tensor for <paramref name="spec"/> in CPU memory owned by the returned value.</summary>
    public static OrtValue Create(BrickTensor spec, Random random)
    {
        var type = ParseElementType(spec.ElementType);
        if (spec.Shape.Any(d => d < 0))
            throw new ArgumentException($"input '{spec.Name}' has an unknown dimension; give a static shape.", nameof(spec));
        var count = Onnx.TensorSize.TryElementCount(spec.Shape)
                    ?? throw new InvalidModelException($"input '{spec.Name}' shape [{string.Join(',', spec.Shape)}] has more elements than fit in 64 bits.");
        if (type == TensorElementType.String)
        {
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, spec.Shape);
            for (var i = 0; i < count; i++)
                strings.StringTensorSetElementAt($"s{random.Next(1000)}".AsSpan(), i);
            return strings;
        }
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, spec.Shape);
        try
        {
            Fill(value, type, spec, random);
            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    private static void Fill(OrtValue value, TensorElementType type, BrickTensor spec, Random random)
    {
        var bytes = value.GetTensorMutableRawData();
        switch (type)
        {
            case TensorElementType.Float:
                foreach (ref var x in MemoryMarshal.Cast<byte, float>(bytes)) x = NextFloat(random);
                break;
            case TensorElementType.Double:
                foreach (ref var x in MemoryMarshal.Cast<byte, double>(bytes)) x = NextFloat(random);
                break;
            case TensorElementType.Float16:
                foreach (ref var x in MemoryMarshal.Cast<byte, ushort>(bytes)) x = BitConverter.HalfToUInt16Bits((Half)NextFloat(random));
                break;
            case TensorElementType.BFloat16:
                // bfloat16 is the upper half of an IEEE single.
                foreach (ref var x in MemoryMarshal.Cast<byte, ushort>(bytes)) x = (ushort)(BitConverter.SingleToUInt32Bits(NextFloat(random)) >> 16);
                break;
            case TensorElementType.Bool:
                // A bool input given values (a model input's resolved mask or flag) is fed as given, like integers.
                if (spec.Values is { Length: > 0 } flags)
                    for (var i = 0; i < bytes.Length; i++) bytes[i] = flags[i % flags.Length] != 0 ? (byte)1 : (byte)0;
                else
                    foreach (ref var x in bytes) x = (byte)random.Next(2);
                break;
            case TensorElementType.Int8: FillIntegers(MemoryMarshal.Cast<byte, sbyte>(bytes), spec, random, sbyte.MinValue, sbyte.MaxValue, v => (sbyte)v); break;
            case TensorElementType.UInt8: FillIntegers(bytes, spec, random, byte.MinValue, byte.MaxValue, v => (byte)v); break;
            case TensorElementType.Int16: FillIntegers(MemoryMarshal.Cast<byte, short>(bytes), spec, random, short.MinValue, short.MaxValue, v => (short)v); break;
            case TensorElementType.UInt16: FillIntegers(MemoryMarshal.Cast<byte, ushort>(bytes), spec, random, ushort.MinValue, ushort.MaxValue, v => (ushort)v); break;
            case TensorElementType.Int32: FillIntegers(MemoryMarshal.Cast<byte, int>(bytes), spec, random, int.MinValue, int.MaxValue, v => (int)v); break;
            case TensorElementType.UInt32: FillIntegers(MemoryMarshal.Cast<byte, uint>(bytes), spec, random, uint.MinValue, uint.MaxValue, v => (uint)v); break;
            case TensorElementType.Int64: FillIntegers(MemoryMarshal.Cast<byte, long>(bytes), spec, random, long.MinValue, long.MaxValue, v => v); break;
            case TensorElementType.UInt64: FillIntegers(MemoryMarshal.Cast<byte, ulong>(bytes), spec, random, 0, long.MaxValue, v => (ulong)v); break;
            default:
                throw new NotSupportedException($"cannot generate inputs of element type '{spec.ElementType}'.");
        }
    }

    private static float NextFloat(Random random) => FloatMin + (float)random.NextDouble() * (FloatMax - FloatMin);

    private static void FillIntegers<T>(Span<T> target, BrickTensor spec, Random random, long typeMin, long typeMax, Func<long, T> convert)
    {
        if (spec.Values is { Length: > 0 } values)
        {
            // Values seen in the model are fed as they are; a shorter list repeats so every element is a valid value.
            for (var i = 0; i < target.Length; i++)
                target[i] = convert(values[i % values.Length]);
            return;
        }
        // Without a range, zero is the one value that is a valid index, length and axis for every consumer.
        var min = (long)Math.Clamp(spec.Min ?? 0, typeMin, typeMax);
        var max = (long)Math.Clamp(spec.Max ?? (spec.Min ?? 0), typeMin, typeMax);
        if (max < min)
            (min, max) = (max, min);
        for (var i = 0; i < target.Length; i++)
            target[i] = convert(max == long.MaxValue ? random.NextInt64(min, max) : random.NextInt64(min, max + 1));
    }
}
