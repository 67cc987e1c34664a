using System.Runtime.InteropServices;

namespace DLBricks.Corpus.Building;

/// <summary>
/// Deterministic xorshift64* generator for weights. It is our own so the bytes a seed produces never change with
/// the .NET runtime's <see cref="Random"/> implementation.
/// </summary>
public sealed class WeightRandom
{
    private ulong _state;

    /// <summary>Creates a generator; seeds are mixed so that nearby seeds give unrelated streams.</summary>
    public WeightRandom(int seed)
    {
        // SplitMix64 finaliser: spreads small seeds over the state and never yields the all-zero state xorshift can't leave.
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        _state = (z ^ (z >> 31)) | 1UL;
    }

    /// <summary>Next raw 64-bit value.</summary>
    public ulong NextUInt64()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return unchecked(_state * 0x2545F4914F6CDD1DUL);
    }

    /// <summary>Uniform float in [0, 1).</summary>
    public float NextUnit()
    {
        // 23 mantissa bits under exponent 0 give a float in [1, 2); subtracting 1 is exact.
        uint bits = 0x3F800000u | (uint)(NextUInt64() >> 41);
        return BitConverter.UInt32BitsToSingle(bits) - 1f;
    }

    /// <summary>Uniform float in [low, high).</summary>
    public float NextFloat(float low, float high) => low + (high - low) * NextUnit();

    /// <summary>Fills <paramref name="target"/> with uniform floats in [low, high).</summary>
    public void Fill(Span<float> target, float low, float high)
    {
        float width = high - low;
        for (int i = 0; i < target.Length; i++)
        {
            uint bits = 0x3F800000u | (uint)(NextUInt64() >> 41);
            target[i] = low + width * (BitConverter.UInt32BitsToSingle(bits) - 1f);
        }
    }

    /// <summary>Uniform floats in [low, high) as little-endian bytes, the layout of ONNX raw_data.</summary>
    public byte[] FloatBytes(long count, float low, float high)
    {
        var bytes = new byte[checked(count * sizeof(float))];
        var floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        Fill(floats, low, high);
        if (!BitConverter.IsLittleEndian) SwapToLittleEndian(bytes);
        return bytes;
    }

    private static void SwapToLittleEndian(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i += 4)
        {
            (bytes[i], bytes[i + 3]) = (bytes[i + 3], bytes[i]);
            (bytes[i + 1], bytes[i + 2]) = (bytes[i + 2], bytes[i + 1]);
        }
    }
}
