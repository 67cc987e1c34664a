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
public static partial class SyntheticInputs
{
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
        try
        {
            return Create(spec.Name, spec.ElementType, spec.Shape, spec.Values, spec.Min, spec.Max, random);
        }
        catch (OverflowException e)
        {
            throw new InvalidModelException(e.Message, e);
        }
    }
}
