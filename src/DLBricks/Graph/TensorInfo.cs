namespace DLBricks.Graph;

/// <summary>
/// What is known about one tensor of a model after the shape probe: its element type and static shape, and for small or
/// integer-typed tensors the values it held in the probe run (shape tensors, indices, scalars).
/// </summary>
public sealed class TensorInfo
{
    /// <summary>ONNX element type (<c>TensorProto.DataType</c> value).</summary>
    public required int ElementType { get; init; }

    /// <summary>Static shape; null when the value is not a tensor (sequence, map, optional).</summary>
    public required long[]? Shape { get; init; }

    /// <summary><c>tensor</c>, <c>sequence</c>, <c>map</c> or <c>optional</c>.</summary>
    public string Kind { get; init; } = "tensor";

    /// <summary>Values of an integer or bool tensor, when it is small enough to keep.</summary>
    public long[]? IntegerValues { get; init; }

    /// <summary>Values of a tiny floating-point tensor (scalars, scales), when kept.</summary>
    public float[]? FloatValues { get; init; }

    /// <summary>Number of elements; 0 for non-tensors.</summary>
    public long ElementCount => Shape is null ? 0 : Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>True for a tensor with a fully known shape.</summary>
    public bool IsStaticTensor => Kind == "tensor" && Shape is not null && Shape.All(d => d >= 0);

    /// <summary>Integer tensors up to this many elements keep their values.</summary>
    public const int MaxKeptIntegerElements = 1 << 16;

    /// <summary>Floating-point tensors up to this many elements keep their values (small enough to reveal nothing).</summary>
    public const int MaxKeptFloatElements = 8;
}
