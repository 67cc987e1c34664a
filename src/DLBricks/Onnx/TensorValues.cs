using System.Buffers.Binary;
using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Onnx;

/// <summary>Decodes and encodes the values of a <see cref="TensorProto"/> (raw, typed-field or external storage).</summary>
internal static class TensorValues
{
    /// <summary>Number of elements the tensor's dims describe.</summary>
    /// <exception cref="OverflowException">The count does not fit in 64 bits (see <see cref="TensorSize"/> for a checked alternative).</exception>
    public static long ElementCount(IEnumerable<long> dims)
    {
        long n = 1;
        foreach (var d in dims) n = checked(n * d);
        return n;
    }

    /// <summary>Integer values of an integer or bool tensor, widened to <c>long</c>.</summary>
    public static long[] ReadIntegers(TensorProto tensor, OnnxModel? model = null)
    {
        var type = (TensorProto.Types.DataType)tensor.DataType;
        var raw = RawBytes(tensor, model);
        if (raw is not null)
        {
            var size = ElementTypes.Size(tensor.DataType);
            var count = size == 0 ? 0 : raw.Length / size;
            var values = new long[count];
            for (var i = 0; i < count; i++)
            {
                var span = raw.AsSpan(i * size, size);
                values[i] = type switch
                {
                    TensorProto.Types.DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(span),
                    TensorProto.Types.DataType.Uint64 => (long)BinaryPrimitives.ReadUInt64LittleEndian(span),
                    TensorProto.Types.DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(span),
                    TensorProto.Types.DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(span),
                    TensorProto.Types.DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(span),
                    TensorProto.Types.DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(span),
                    TensorProto.Types.DataType.Int8 => (sbyte)span[0],
                    _ => span[0],
                };
            }
            return values;
        }
        return type switch
        {
            TensorProto.Types.DataType.Int64 => tensor.Int64Data.ToArray(),
            TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Uint32 => tensor.Uint64Data.Select(v => (long)v).ToArray(),
            _ => tensor.Int32Data.Select(v => (long)v).ToArray(),
        };
    }

    /// <summary>Values of a floating-point tensor as <c>float</c>.</summary>
    public static float[] ReadFloats(TensorProto tensor, OnnxModel? model = null)
    {
        var type = (TensorProto.Types.DataType)tensor.DataType;
        var raw = RawBytes(tensor, model);
        if (raw is not null)
        {
            return type switch
            {
                TensorProto.Types.DataType.Float => Enumerable.Range(0, raw.Length / 4)
                    .Select(i => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4))).ToArray(),
                TensorProto.Types.DataType.Double => Enumerable.Range(0, raw.Length / 8)
                    .Select(i => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan(i * 8))).ToArray(),
                TensorProto.Types.DataType.Float16 => Enumerable.Range(0, raw.Length / 2)
                    .Select(i => (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(i * 2))).ToArray(),
                TensorProto.Types.DataType.Bfloat16 => Enumerable.Range(0, raw.Length / 2)
                    .Select(i => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2)) << 16)).ToArray(),
                _ => [],
            };
        }
        return type switch
        {
            TensorProto.Types.DataType.Double => tensor.DoubleData.Select(v => (float)v).ToArray(),
            TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 =>
                tensor.Int32Data.Select(v => type == TensorProto.Types.DataType.Float16
                    ? (float)BitConverter.UInt16BitsToHalf((ushort)v)
                    : BitConverter.Int32BitsToSingle(v << 16)).ToArray(),
            _ => tensor.FloatData.ToArray(),
        };
    }

    /// <summary>Builds a tensor of the given integer or bool type from values, stored as raw little-endian bytes.</summary>
    public static TensorProto FromIntegers(string name, int dataType, IReadOnlyList<long> dims, IReadOnlyList<long> values)
    {
        var size = ElementTypes.Size(dataType);
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            switch (size)
            {
                case 8: BinaryPrimitives.WriteInt64LittleEndian(span, values[i]); break;
                case 4: BinaryPrimitives.WriteInt32LittleEndian(span, (int)values[i]); break;
                case 2: BinaryPrimitives.WriteInt16LittleEndian(span, (short)values[i]); break;
                default: span[0] = (byte)values[i]; break;
            }
        }
        var tensor = new TensorProto { Name = name, DataType = dataType, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>Builds a floating-point tensor of the given type from float values, stored as raw little-endian bytes.</summary>
    public static TensorProto FromFloats(string name, int dataType, IReadOnlyList<long> dims, ReadOnlySpan<float> values)
    {
        var size = ElementTypes.Size(dataType);
        var type = (TensorProto.Types.DataType)dataType;
        if (type == TensorProto.Types.DataType.Float && BitConverter.IsLittleEndian)
        {
            // float32 is stored as it sits in memory: one copy, and the array is handed to the message without another.
            var raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray();
            var f32 = new TensorProto { Name = name, DataType = dataType, RawData = UnsafeByteOperations.UnsafeWrap(raw) };
            f32.Dims.AddRange(dims);
            return f32;
        }
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            switch (type)
            {
                case TensorProto.Types.DataType.Double: BinaryPrimitives.WriteDoubleLittleEndian(span, values[i]); break;
                case TensorProto.Types.DataType.Float16: BinaryPrimitives.WriteHalfLittleEndian(span, (Half)values[i]); break;
                case TensorProto.Types.DataType.Bfloat16:
                    BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(BitConverter.SingleToInt32Bits(values[i]) >> 16)); break;
                default: BinaryPrimitives.WriteSingleLittleEndian(span, values[i]); break;
            }
        }
        var tensor = new TensorProto { Name = name, DataType = dataType, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static byte[]? RawBytes(TensorProto tensor, OnnxModel? model)
    {
        if (ExternalData.IsExternal(tensor))
        {
            if (model is null) throw new InvalidOperationException($"tensor '{tensor.Name}' uses external data but no model path is known");
            return ExternalData.ReadBytes(model, tensor);
        }
        return tensor.RawData.IsEmpty ? null : tensor.RawData.ToByteArray();
    }
}
