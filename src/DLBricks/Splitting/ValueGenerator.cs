using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Splitting;

/// <summary>
/// Draws the values of a regenerated tensor from a seed, a <see cref="ValueProfile"/> and a fallback range: the only
/// source of every non-structural value in a published brick. Nothing of the original is read here but its profile.
/// </summary>
internal static class ValueGenerator
{
    /// <summary>A tensor of the given type and shape whose values keep <paramref name="profile"/>.</summary>
    /// <param name="name">Tensor name.</param>
    /// <param name="dataType">ONNX element type.</param>
    /// <param name="shape">Shape.</param>
    /// <param name="profile">Properties to keep.</param>
    /// <param name="low">Lower bound for floats of mixed or unknown sign.</param>
    /// <param name="high">Upper bound for floats of mixed or unknown sign.</param>
    /// <param name="seed">Seed; the same seed gives the same bytes on every platform.</param>
    public static TensorProto Generate(string name, int dataType, IReadOnlyList<long> shape, ValueProfile profile, float low, float high, ulong seed)
    {
        var count = checked((int)TensorValues.ElementCount(shape));
        var rng = new SplitMix64(seed);
        if (ElementTypes.IsFloat(dataType))
        {
            var values = new float[count];
            if (!profile.AllZero)
            {
                var magnitude = profile.MagnitudeBucket is { } b ? (float)Math.Clamp(Math.Pow(10, 3 * b + 1.5), 1e-30, 1e30) : 1f;
                // One loop per sign rather than a switch per element: large bricks hold hundreds of millions of values.
                switch (profile.Sign)
                {
                    case ValueSign.Positive: for (var i = 0; i < count; i++) values[i] = magnitude * (0.5f + rng.NextFloat()); break;
                    case ValueSign.NonNegative: for (var i = 0; i < count; i++) values[i] = magnitude * rng.NextFloat(); break;
                    case ValueSign.Negative: for (var i = 0; i < count; i++) values[i] = -magnitude * (0.5f + rng.NextFloat()); break;
                    case ValueSign.NonPositive: for (var i = 0; i < count; i++) values[i] = -magnitude * rng.NextFloat(); break;
                    default: for (var i = 0; i < count; i++) values[i] = low + (high - low) * rng.NextFloat(); break;
                }
            }
            return TensorValues.FromFloats(name, dataType, shape, values);
        }
        if (dataType == (int)TensorProto.Types.DataType.String)
        {
            var t = new TensorProto { Name = name, DataType = dataType };
            t.Dims.AddRange(shape);
            for (var i = 0; i < count; i++) t.StringData.Add(ByteString.CopyFromUtf8("a"));
            return t;
        }
        var (min, max) = IntegerRange(dataType);
        (min, max) = profile.AllZero ? (0, 0) : profile.Sign switch
        {
            ValueSign.Positive => (1, max),
            ValueSign.NonNegative => (0, max),
            ValueSign.Negative => (min, -1),
            ValueSign.NonPositive => (min, 0),
            _ => (min, max),
        };
        if (min > max) (min, max) = (max, min); // a negative value of an unsigned type cannot occur; stay in range anyway
        var ints = new long[count];
        var span = (ulong)(max - min + 1);
        for (var i = 0; i < count; i++) ints[i] = min + (long)(rng.Next() % span);
        return TensorValues.FromIntegers(name, dataType, shape, ints);
    }

    /// <summary>A seed derived from text (a canonical name), for values that are part of a hashed skeleton.</summary>
    public static ulong SeedOf(string text) =>
        BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    // Full range for 8-bit types (quantized weights and zero points use all of it); a moderate range for wider integers
    // (int32 biases, int16 weights) so accumulations cannot overflow in a way the original never did.
    private static (long Min, long Max) IntegerRange(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Int8 => (-128, 127),
        TensorProto.Types.DataType.Uint8 => (0, 255),
        TensorProto.Types.DataType.Bool => (0, 1),
        TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => (0, 1024),
        _ => (-1024, 1024),
    };

    /// <summary>SplitMix64: fast, seedable, identical on every platform (unlike <see cref="Random"/> across .NET versions).</summary>
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public float NextFloat() => (Next() >> 40) * (1.0f / (1 << 24));
    }
}
