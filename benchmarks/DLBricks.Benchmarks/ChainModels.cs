using DLBricks.Corpus.Families;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using Google.Protobuf;

namespace DLBricks.Benchmarks;

/// <summary>
/// The generated models the split-speed measurements run on: <see cref="TestModels.Chain"/> with every node output declared
/// in value_info, so <see cref="LayerGraphBuilder.BuildFromDeclaredShapes"/> can build the graph without ONNX Runtime.
/// Files are written once into a temp folder and reused by every benchmark process.
/// </summary>
internal static class ChainModels
{
    /// <summary>Width of every chain tensor ([1, Width]).</summary>
    public const int Width = 16;

    /// <summary>Where the generated files live.</summary>
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "dlbricks-split-speed");

    /// <summary>Path of the <paramref name="layers"/>-layer chain with declared shapes, generating it on first use.</summary>
    public static string Ensure(int layers)
    {
        var path = Path.Combine(Folder, $"chain_{layers}.onnx");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Folder);
        var model = TestModels.Chain(layers, Width);
        DeclareShapes(model);
        // Write under a temporary name first: a killed run must not leave a truncated file that later runs would trust.
        var staging = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var stream = File.Create(staging)) model.WriteTo(stream);
        File.Move(staging, path, overwrite: true);
        return path;
    }

    /// <summary>
    /// Declares every node output as float [1, Width]. True for the chain by construction (MatMul [1,W]x[W,W], Add with a [W]
    /// bias, Relu); <see cref="CheckAgainstProbe"/> confirms it against the ONNX Runtime probe.
    /// </summary>
    private static void DeclareShapes(ModelProto model)
    {
        var graph = model.Graph;
        var declared = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        foreach (var output in node.Output)
        {
            if (output.Length == 0 || !declared.Add(output)) continue;
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = Width });
            graph.ValueInfo.Add(new ValueInfoProto
            {
                Name = output,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
            });
        }
    }

    /// <summary>
    /// Splits a small chain twice, once with shapes from the ONNX Runtime probe and once from the declared shapes, and fails
    /// unless both give the same bricks: the timed path must compute exactly what <c>dlbricks split</c> computes.
    /// </summary>
    public static void CheckAgainstProbe(int layers = 300, int granularity = 3)
    {
        var model = OnnxModel.Load(Ensure(layers));
        var probed = ModelSplitter.Split(LayerGraphBuilder.Build(model), granularity);
        var declared = ModelSplitter.Split(LayerGraphBuilder.BuildFromDeclaredShapes(model), granularity);
        var a = probed.Pieces.Select(p => (p.FirstLayer, p.LayerCount, p.Brick.Hash));
        var b = declared.Pieces.Select(p => (p.FirstLayer, p.LayerCount, p.Brick.Hash));
        if (!a.SequenceEqual(b))
            throw new InvalidOperationException($"chain_{layers}: declared shapes split differently from the runtime probe.");
    }
}
