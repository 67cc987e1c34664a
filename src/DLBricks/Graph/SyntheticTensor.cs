using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Graph;

/// <summary>Creates input OrtValues filled with seeded synthetic data (or given values) and reads integer tensors back.</summary>
internal static class SyntheticTensor
{
    /// <summary>
    /// A tensor of <paramref name="elementType"/> and <paramref name="shape"/>: given values (one fills all), else floats uniform in
    /// [0, 1) and integers 1 (a safe index, length and mask value). The caller owns and disposes the result.
    /// </summary>
    public static OrtValue Create(int elementType, long[] shape, double[]? values, int seed)
    {
        // Callers resolved shapes against the memory limit; this only guards the arithmetic and the array size.
        var count = TensorSize.CheckedElementCount(shape, elementType, long.MaxValue, "synthetic input");
        var random = new Random(seed);
        double Value(int i) => values is null ? double.NaN : values.Length == 1 ? values[0] : values[i];
        switch ((TensorProto.Types.DataType)elementType)
        {
            case TensorProto.Types.DataType.Float:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? (float)random.NextDouble() : (float)Value(i)), shape);
            case TensorProto.Types.DataType.Double:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? random.NextDouble() : Value(i)), shape);
            case TensorProto.Types.DataType.Float16:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => (Float16)(float)(values is null ? random.NextDouble() : Value(i))), shape);
            case TensorProto.Types.DataType.Int64:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? 1L : (long)Value(i)), shape);
            case TensorProto.Types.DataType.Int32:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? 1 : (int)Value(i)), shape);
            case TensorProto.Types.DataType.Int16:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? (short)1 : (short)Value(i)), shape);
            case TensorProto.Types.DataType.Int8:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? (sbyte)1 : (sbyte)Value(i)), shape);
            case TensorProto.Types.DataType.Uint8:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? (byte)1 : (byte)Value(i)), shape);
            case TensorProto.Types.DataType.Uint16:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? (ushort)1 : (ushort)Value(i)), shape);
            case TensorProto.Types.DataType.Uint32:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? 1u : (uint)Value(i)), shape);
            case TensorProto.Types.DataType.Uint64:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null ? 1ul : (ulong)Value(i)), shape);
            case TensorProto.Types.DataType.Bool:
                return OrtValue.CreateTensorValueFromMemory(Fill(count, i => values is null || Value(i) != 0), shape);
            case TensorProto.Types.DataType.String:
                return OrtValue.CreateFromStringTensor(new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(Fill(count, _ => "a"), shape.Select(d => (int)d).ToArray()));
            default:
                throw new NotSupportedException($"element type {ElementTypes.Name(elementType)} cannot be synthesized");
        }
    }

    public static long[] ReadIntegers(OrtValue value, int elementType) => (TensorProto.Types.DataType)elementType switch
    {
        TensorProto.Types.DataType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
        TensorProto.Types.DataType.Int32 => ToLong(value.GetTensorDataAsSpan<int>()),
        TensorProto.Types.DataType.Int16 => ToLong(value.GetTensorDataAsSpan<short>()),
        TensorProto.Types.DataType.Int8 => ToLong(value.GetTensorDataAsSpan<sbyte>()),
        TensorProto.Types.DataType.Uint8 => ToLong(value.GetTensorDataAsSpan<byte>()),
        TensorProto.Types.DataType.Uint16 => ToLong(value.GetTensorDataAsSpan<ushort>()),
        TensorProto.Types.DataType.Uint32 => ToLong(value.GetTensorDataAsSpan<uint>()),
        TensorProto.Types.DataType.Uint64 => ToLong(value.GetTensorDataAsSpan<ulong>()),
        TensorProto.Types.DataType.Bool => ToLong(value.GetTensorDataAsSpan<bool>()),
        _ => [],
    };

    private static long[] ToLong<T>(ReadOnlySpan<T> span) where T : unmanaged
    {
        var result = new long[span.Length];
        for (var i = 0; i < span.Length; i++) result[i] = Convert.ToInt64(span[i], System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }

    private static T[] Fill<T>(int count, Func<int, T> value)
    {
        var array = new T[count];
        for (var i = 0; i < count; i++) array[i] = value(i);
        return array;
    }
}
