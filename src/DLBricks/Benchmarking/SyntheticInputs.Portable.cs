using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DLBricks.Benchmarking;

// Portable half: compiled into the library and, as it is, into every emitted suite (docs/emit.md), so that `dlbricks bench`
// and a suite run feed a brick the same tensors from one copy of the code. It may use only the BCL and ONNX Runtime.
static partial class SyntheticInputs
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

    /// <summary>
    /// Creates one input tensor in CPU memory owned by the returned value: <paramref name="shape"/> of
    /// <paramref name="elementType"/>, integers (and bools) from <paramref name="values"/> or the range
    /// <paramref name="min"/>..<paramref name="max"/>.
    /// </summary>
    /// <exception cref="OverflowException">The shape has more elements than fit in 64 bits.</exception>
    internal static OrtValue Create(string name, string elementType, long[] shape, long[]? values, double? min, double? max, Random random)
    {
        var type = ParseElementType(elementType);
        if (shape.Any(d => d < 0))
            throw new ArgumentException($"input '{name}' has an unknown dimension; give a static shape.", nameof(shape));
        var count = ElementCount(name, shape);
        if (type == TensorElementType.String)
        {
            var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            for (var i = 0; i < count; i++)
                strings.StringTensorSetElementAt($"s{random.Next(1000)}".AsSpan(), i);
            return strings;
        }
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, shape);
        try
        {
            Fill(value.GetTensorMutableRawData(), type, elementType, values, min, max, random);
            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    private static long ElementCount(string name, long[] shape)
    {
        try
        {
            return shape.Aggregate(1L, (count, d) => checked(count * d));
        }
        catch (OverflowException e)
        {
            throw new OverflowException($"input '{name}' shape [{string.Join(',', shape)}] has more elements than fit in 64 bits.", e);
        }
    }

    private static void Fill(Span<byte> bytes, TensorElementType type, string elementType, long[]? values, double? min, double? max, Random random)
    {
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
                if (values is { Length: > 0 } flags)
                    for (var i = 0; i < bytes.Length; i++) bytes[i] = flags[i % flags.Length] != 0 ? (byte)1 : (byte)0;
                else
                    foreach (ref var x in bytes) x = (byte)random.Next(2);
                break;
            case TensorElementType.Int8: FillIntegers(MemoryMarshal.Cast<byte, sbyte>(bytes), values, min, max, random, sbyte.MinValue, sbyte.MaxValue, v => (sbyte)v); break;
            case TensorElementType.UInt8: FillIntegers(bytes, values, min, max, random, byte.MinValue, byte.MaxValue, v => (byte)v); break;
            case TensorElementType.Int16: FillIntegers(MemoryMarshal.Cast<byte, short>(bytes), values, min, max, random, short.MinValue, short.MaxValue, v => (short)v); break;
            case TensorElementType.UInt16: FillIntegers(MemoryMarshal.Cast<byte, ushort>(bytes), values, min, max, random, ushort.MinValue, ushort.MaxValue, v => (ushort)v); break;
            case TensorElementType.Int32: FillIntegers(MemoryMarshal.Cast<byte, int>(bytes), values, min, max, random, int.MinValue, int.MaxValue, v => (int)v); break;
            case TensorElementType.UInt32: FillIntegers(MemoryMarshal.Cast<byte, uint>(bytes), values, min, max, random, uint.MinValue, uint.MaxValue, v => (uint)v); break;
            case TensorElementType.Int64: FillIntegers(MemoryMarshal.Cast<byte, long>(bytes), values, min, max, random, long.MinValue, long.MaxValue, v => v); break;
            case TensorElementType.UInt64: FillIntegers(MemoryMarshal.Cast<byte, ulong>(bytes), values, min, max, random, 0, long.MaxValue, v => (ulong)v); break;
            default:
                throw new NotSupportedException($"cannot generate inputs of element type '{elementType}'.");
        }
    }

    private static float NextFloat(Random random) => FloatMin + (float)random.NextDouble() * (FloatMax - FloatMin);

    private static void FillIntegers<T>(Span<T> target, long[]? values, double? min, double? max, Random random, long typeMin, long typeMax, Func<long, T> convert)
    {
        if (values is { Length: > 0 })
        {
            // Values seen in the model are fed as they are; a shorter list repeats so every element is a valid value.
            for (var i = 0; i < target.Length; i++)
                target[i] = convert(values[i % values.Length]);
            return;
        }
        // Without a range, zero is the one value that is a valid index, length and axis for every consumer.
        var low = (long)Math.Clamp(min ?? 0, typeMin, typeMax);
        var high = (long)Math.Clamp(max ?? (min ?? 0), typeMin, typeMax);
        if (high < low)
            (low, high) = (high, low);
        for (var i = 0; i < target.Length; i++)
            target[i] = convert(high == long.MaxValue ? random.NextInt64(low, high) : random.NextInt64(low, high + 1));
    }
}
