using DLBricks.Onnx.Protos;

namespace DLBricks.Onnx;

/// <summary>Names, sizes and classes of ONNX tensor element types (the <c>TensorProto.DataType</c> enum values).</summary>
internal static class ElementTypes
{
    /// <summary>Lower-case ONNX name of an element type, e.g. <c>float</c> or <c>int64</c>.</summary>
    public static string Name(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float => "float",
        TensorProto.Types.DataType.Uint8 => "uint8",
        TensorProto.Types.DataType.Int8 => "int8",
        TensorProto.Types.DataType.Uint16 => "uint16",
        TensorProto.Types.DataType.Int16 => "int16",
        TensorProto.Types.DataType.Int32 => "int32",
        TensorProto.Types.DataType.Int64 => "int64",
        TensorProto.Types.DataType.String => "string",
        TensorProto.Types.DataType.Bool => "bool",
        TensorProto.Types.DataType.Float16 => "float16",
        TensorProto.Types.DataType.Double => "double",
        TensorProto.Types.DataType.Uint32 => "uint32",
        TensorProto.Types.DataType.Uint64 => "uint64",
        TensorProto.Types.DataType.Bfloat16 => "bfloat16",
        _ => $"type{dataType}",
    };

    /// <summary>Inverse of <see cref="Name"/>.</summary>
    public static int FromName(string name) => name switch
    {
        "float" => (int)TensorProto.Types.DataType.Float,
        "uint8" => (int)TensorProto.Types.DataType.Uint8,
        "int8" => (int)TensorProto.Types.DataType.Int8,
        "uint16" => (int)TensorProto.Types.DataType.Uint16,
        "int16" => (int)TensorProto.Types.DataType.Int16,
        "int32" => (int)TensorProto.Types.DataType.Int32,
        "int64" => (int)TensorProto.Types.DataType.Int64,
        "string" => (int)TensorProto.Types.DataType.String,
        "bool" => (int)TensorProto.Types.DataType.Bool,
        "float16" => (int)TensorProto.Types.DataType.Float16,
        "double" => (int)TensorProto.Types.DataType.Double,
        "uint32" => (int)TensorProto.Types.DataType.Uint32,
        "uint64" => (int)TensorProto.Types.DataType.Uint64,
        "bfloat16" => (int)TensorProto.Types.DataType.Bfloat16,
        _ => throw new ArgumentException($"unknown element type '{name}'", nameof(name)),
    };

    /// <summary>Bytes per element; 0 for strings and unknown types.</summary>
    public static int Size(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 or TensorProto.Types.DataType.Int16
            or TensorProto.Types.DataType.Uint16 => 2,
        TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 1,
        _ => 0,
    };

    /// <summary>True for integer element types, whose values (shapes, indices, sizes) can change what a brick computes.</summary>
    public static bool IsInteger(int dataType) => (TensorProto.Types.DataType)dataType is TensorProto.Types.DataType.Int8
        or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16
        or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Int64
        or TensorProto.Types.DataType.Uint64;

    /// <summary>True for floating-point element types.</summary>
    public static bool IsFloat(int dataType) => (TensorProto.Types.DataType)dataType is TensorProto.Types.DataType.Float
        or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16;
}
