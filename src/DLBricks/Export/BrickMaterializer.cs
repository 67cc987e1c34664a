using System.Buffers.Binary;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using Google.Protobuf;

namespace DLBricks.Export;

/// <summary>
/// Turns a <see cref="CanonicalBrick"/> into the standalone model that is published: every weight slot filled with values
/// drawn uniformly from its range by a generator seeded from the brick hash, so the same brick always has the same bytes
/// and no byte of the original weights survives.
/// </summary>
public static class BrickMaterializer
{
    /// <summary>The brick model with generated weights.</summary>
    public static ModelProto Materialize(CanonicalBrick brick)
    {
        var model = brick.Skeleton.Clone();
        var seed = BinaryPrimitives.ReadUInt64LittleEndian(Convert.FromHexString(brick.Hash.AsSpan(0, 16)));
        var slots = brick.Weights.ToDictionary(w => w.Name);
        for (var i = 0; i < model.Graph.Initializer.Count; i++)
        {
            var init = model.Graph.Initializer[i];
            if (!slots.TryGetValue(init.Name, out var slot)) continue;
            model.Graph.Initializer[i] = Generate(slot, seed + (ulong)i * 0x9E3779B97F4A7C15UL);
        }
        return model;
    }

    /// <summary>Serialized brick bytes.</summary>
    public static byte[] ToBytes(CanonicalBrick brick) => Materialize(brick).ToByteArray();

    private static TensorProto Generate(WeightSlot slot, ulong seed)
    {
        var count = checked((int)TensorValues.ElementCount(slot.Shape));
        var rng = new SplitMix64(seed);
        if (ElementTypes.IsFloat(slot.ElementType))
        {
            var values = new float[count];
            var span = slot.High - slot.Low;
            for (var i = 0; i < count; i++) values[i] = slot.Low + span * rng.NextFloat();
            return TensorValues.FromFloats(slot.Name, slot.ElementType, slot.Shape, values);
        }
        if (slot.ElementType == (int)TensorProto.Types.DataType.String)
        {
            var t = new TensorProto { Name = slot.Name, DataType = slot.ElementType };
            t.Dims.AddRange(slot.Shape);
            for (var i = 0; i < count; i++) t.StringData.Add(ByteString.CopyFromUtf8("a"));
            return t;
        }
        // Large integer weights (quantized tensors): small non-negative values valid for any integer type.
        var ints = new long[count];
        for (var i = 0; i < count; i++) ints[i] = (long)(rng.Next() % 4);
        return TensorValues.FromIntegers(slot.Name, slot.ElementType, slot.Shape, ints);
    }

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
