using System.Buffers.Binary;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using Google.Protobuf;

namespace DLBricks.Export;

/// <summary>
/// Turns a <see cref="CanonicalBrick"/> into the standalone model that is published: every weight slot filled by
/// <see cref="ValueGenerator"/> seeded from the brick hash, keeping only the slot's <see cref="ValueProfile"/>, so the same
/// brick always has the same bytes and no byte of the original values survives.
/// </summary>
internal static class BrickMaterializer
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

    private static TensorProto Generate(WeightSlot slot, ulong seed) =>
        ValueGenerator.Generate(slot.Name, slot.ElementType, slot.Shape, slot.Profile, slot.Low, slot.High, seed);
}
