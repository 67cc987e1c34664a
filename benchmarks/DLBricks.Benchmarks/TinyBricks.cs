using System.Text.Json;
using DLBricks.Export;
using DLBricks.Onnx.Protos;
using Google.Protobuf;
using DLBricks.Splitting;

namespace DLBricks.Benchmarks;

/// <summary>Writes a split output folder of <c>count</c> distinct one-node bricks (Relu over float [1, w]) for harness measurements.</summary>
internal static class TinyBricks
{
    public static string Write(string folder, int count, int firstWidth = 4)
    {
        Directory.CreateDirectory(Path.Combine(folder, "bricks"));
        var entries = new List<BrickEntry>();
        for (var i = 0; i < count; i++)
        {
            var width = firstWidth + i;
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(width)));
            var model = new ModelProto { IrVersion = 7, Graph = new GraphProto { Name = "relu" } };
            model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
            model.Graph.Input.Add(Float("in0", width));
            model.Graph.Output.Add(Float("out0", width));
            var node = new NodeProto { OpType = "Relu" };
            node.Input.Add("in0");
            node.Output.Add("out0");
            model.Graph.Node.Add(node);
            File.WriteAllBytes(Path.Combine(folder, "bricks", hash + ".onnx"), model.ToByteArray());
            entries.Add(new BrickEntry(hash, $"bricks/{hash}.onnx", ["Relu"], 1, [new BrickTensor("in0", "float", [1, width])],
                [new BrickTensor("out0", "float", [1, width])], width, 0, 8L * width));
        }
        var catalog = new BrickCatalog(BrickCatalog.CurrentFormatVersion, LayerSourceInfo.Raw, entries.OrderBy(e => e.Hash, StringComparer.Ordinal).ToList());
        File.WriteAllText(Path.Combine(folder, BrickCatalog.FileName), JsonSerializer.Serialize(catalog, CatalogJson.Options));
        return folder;
    }

    private static ValueInfoProto Float(string name, long width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
