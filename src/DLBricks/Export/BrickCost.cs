using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Splitting;

namespace DLBricks.Export;

/// <summary>Approximate work of a brick: floating-point operations, weight elements and bytes touched per run.</summary>
/// <param name="Flops">Approximate FLOPs (multiply-add counted as 2).</param>
/// <param name="Parameters">Weight elements.</param>
/// <param name="BytesMoved">Bytes of inputs, outputs and weights.</param>
internal sealed record BrickCost(long Flops, long Parameters, long BytesMoved)
{
    /// <summary>Estimates the cost of a brick from its layers' shapes.</summary>
    public static BrickCost Of(BrickSpec spec)
    {
        var graph = spec.Graph;
        long flops = 0;
        foreach (var layer in spec.Layers) flops += LayerFlops(graph, layer);
        long parameters = 0, bytes = 0;
        foreach (var b in spec.Boundary)
        {
            var size = b.Info.ElementCount * Math.Max(1, ElementTypes.Size(b.Info.ElementType));
            bytes += size;
            if (b.Role == BoundaryRole.Weight) parameters += b.Info.ElementCount;
        }
        foreach (var o in spec.Outputs)
        {
            var info = graph.Tensors[o];
            bytes += info.ElementCount * Math.Max(1, ElementTypes.Size(info.ElementType));
        }
        return new BrickCost(flops, parameters, bytes);
    }

    private static long LayerFlops(LayerGraph graph, Layer layer)
    {
        long Count(string name) => name.Length > 0 && graph.Tensors.TryGetValue(name, out var t) ? t.ElementCount : 0;
        long[] Shape(string name) => name.Length > 0 && graph.Tensors.TryGetValue(name, out var t) && t.Shape is { } s ? s : [];
        var output = layer.Outputs.Count > 0 ? Count(layer.Outputs[0]) : 0;
        switch (layer.OpType)
        {
            case "Conv" or "FusedConv" or "ConvTranspose" or "QLinearConv":
            {
                var weightIndex = layer.OpType == "QLinearConv" ? 3 : 1;
                var w = layer.Inputs.Count > weightIndex ? Shape(layer.Inputs[weightIndex]) : [];
                if (w.Length < 2) return output;
                var perOutput = w.Skip(1).Aggregate(1L, (a, d) => a * d);
                if (layer.OpType == "ConvTranspose")
                    return 2 * Count(layer.Inputs[0]) * w.Skip(1).Aggregate(1L, (a, d) => a * d);
                return 2 * output * perOutput;
            }
            case "MatMul" or "Gemm" or "FusedMatMul" or "MatMulInteger" or "QLinearMatMul":
            {
                var a = Shape(layer.Inputs[0]);
                if (a.Length == 0) return output;
                var transA = layer.Node.Attribute.FirstOrDefault(x => x.Name == "transA")?.I == 1;
                var k = layer.OpType == "Gemm" && transA ? a[0] : a[^1];
                return 2 * output * k;
            }
            default:
                return output;
        }
    }
}
