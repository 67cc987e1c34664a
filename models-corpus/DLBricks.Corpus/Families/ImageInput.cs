using DLBricks.Corpus.Building;
using DataType = DLBricks.Onnx.Protos.TensorProto.Types.DataType;

namespace DLBricks.Corpus.Families;

/// <summary>The image-model contract: float input [batch, 3, H, W] named "input", float output named "output".</summary>
internal static class ImageInput
{
    public static string Declare(OnnxGraphBuilder b, Dim batch, int resolution) =>
        b.Input("input", DataType.Float, batch, 3, resolution, resolution);

    /// <summary>Names the last node's output "output" (as exporters do with output_names) and declares it.</summary>
    public static void Finish(OnnxGraphBuilder b, string lastTensor, params Dim[] shape) =>
        b.Expose(lastTensor, "output", DataType.Float, shape);
}
