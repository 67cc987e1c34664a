using System.Text.Json;
using DLBricks.Export;
using DLBricks.Onnx.Protos;
using Google.Protobuf;
using DLBricks.Splitting;

namespace DLBricks.Tests.Benchmarking;

/// <summary>
/// Writes split output folders (catalog.json + bricks/&lt;hash&gt;.onnx) from tiny hand-built opset-13 models, standing in for
/// the splitter's output in tests.
/// </summary>
internal sealed class BrickFolderBuilder : IDisposable
{
    private readonly List<BrickEntry> _entries = [];

    public BrickFolderBuilder()
    {
        Folder = Path.Combine(Path.GetTempPath(), "dlbricks-bench-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Folder, "bricks"));
    }

    public string Folder { get; }

    public IReadOnlyList<BrickEntry> Entries => _entries;

    /// <summary>A Relu over float [1, width].</summary>
    public string AddRelu(int width)
    {
        var model = Model("relu");
        model.Graph.Input.Add(Value("in0", TensorProto.Types.DataType.Float, 1, width));
        model.Graph.Output.Add(Value("out0", TensorProto.Types.DataType.Float, 1, width));
        model.Graph.Node.Add(Node("Relu", ["in0"], ["out0"]));
        return Add(model, ["Relu"], [Tensor("in0", "float", 1, width)], [Tensor("out0", "float", 1, width)]);
    }

    /// <summary>A 3x3 Conv (weights as an initializer) over float [1, 2, 8, 8], then Relu.</summary>
    public string AddConvRelu()
    {
        var model = Model("conv");
        model.Graph.Input.Add(Value("in0", TensorProto.Types.DataType.Float, 1, 2, 8, 8));
        model.Graph.Output.Add(Value("out0", TensorProto.Types.DataType.Float, 1, 4, 6, 6));
        var weights = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
        weights.Dims.Add([4, 2, 3, 3]);
        weights.FloatData.Add(Enumerable.Range(0, 4 * 2 * 3 * 3).Select(i => (i % 7 - 3) / 10f));
        model.Graph.Initializer.Add(weights);
        model.Graph.Node.Add(Node("Conv", ["in0", "w"], ["c"]));
        model.Graph.Node.Add(Node("Relu", ["c"], ["out0"]));
        return Add(model, ["Conv", "Relu"], [Tensor("in0", "float", 1, 2, 8, 8)], [Tensor("out0", "float", 1, 4, 6, 6)]);
    }

    /// <summary>
    /// A MatMul of float [1, n] by an n × n weight initializer, with its parameter count and bytes moved in the catalog, so a
    /// large enough n (n² × 4 bytes ≥ <c>BenchmarkJob.MinRotatedWeightBytes</c>) is rotated through copies.
    /// </summary>
    public string AddMatMul(int n)
    {
        var model = Model("matmul");
        model.Graph.Input.Add(Value("in0", TensorProto.Types.DataType.Float, 1, n));
        model.Graph.Output.Add(Value("out0", TensorProto.Types.DataType.Float, 1, n));
        var weights = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
        weights.Dims.Add([n, n]);
        weights.FloatData.Add(Enumerable.Range(0, n * n).Select(i => (i % 11 - 5) / 10f));
        model.Graph.Initializer.Add(weights);
        model.Graph.Node.Add(Node("MatMul", ["in0", "w"], ["out0"]));
        var hash = Add(model, ["MatMul"], [Tensor("in0", "float", 1, n)], [Tensor("out0", "float", 1, n)]);
        _entries[^1] = _entries[^1] with { Parameters = (long)n * n, BytesMoved = 4L * (n * n + 2 * n) };
        return hash;
    }

    /// <summary>A Gather of rows of a float table by int64 indices; the indices come from the catalog's Values.</summary>
    public string AddGather(long[] indices)
    {
        var model = Model("gather");
        model.Graph.Input.Add(Value("in0", TensorProto.Types.DataType.Float, 5, 3));
        model.Graph.Input.Add(Value("in1", TensorProto.Types.DataType.Int64, indices.Length));
        model.Graph.Output.Add(Value("out0", TensorProto.Types.DataType.Float, indices.Length, 3));
        model.Graph.Node.Add(Node("Gather", ["in0", "in1"], ["out0"]));
        return Add(model, ["Gather"],
            [Tensor("in0", "float", 5, 3), new BrickTensor("in1", "int64", [indices.Length], Values: indices)],
            [Tensor("out0", "float", indices.Length, 3)]);
    }

    /// <summary>A catalog entry whose file is garbage bytes ONNX Runtime refuses to load.</summary>
    public string AddGarbage()
    {
        var hash = NextHash("garbage");
        File.WriteAllBytes(Path.Combine(Folder, "bricks", hash + ".onnx"), [0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03]);
        _entries.Add(Entry(hash, ["Relu"], [Tensor("in0", "float", 1, 4)], [Tensor("out0", "float", 1, 4)]));
        return hash;
    }

    /// <summary>Writes catalog.json; call after adding bricks.</summary>
    public string WriteCatalog(LayerSourceInfo? source = null)
    {
        var catalog = new BrickCatalog(BrickCatalog.CurrentFormatVersion, source ?? LayerSourceInfo.Raw, _entries.OrderBy(e => e.Hash, StringComparer.Ordinal).ToList());
        File.WriteAllText(Path.Combine(Folder, BrickCatalog.FileName), JsonSerializer.Serialize(catalog, CatalogJson.Options));
        return Folder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A test process that was killed may still hold a file for a moment; temp folders are cleaned by the OS.
        }
    }

    private string Add(ModelProto model, string[] ops, BrickTensor[] inputs, BrickTensor[] outputs)
    {
        var hash = NextHash(string.Join("-", ops));
        File.WriteAllBytes(Path.Combine(Folder, "bricks", hash + ".onnx"), model.ToByteArray());
        _entries.Add(Entry(hash, ops, inputs, outputs));
        return hash;
    }

    private string NextHash(string salt)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{Folder}/{_entries.Count}/{salt}"));
        return Convert.ToHexStringLower(digest);
    }

    private static BrickEntry Entry(string hash, string[] ops, BrickTensor[] inputs, BrickTensor[] outputs)
        => new(hash, $"bricks/{hash}.onnx", ops, ops.Length, inputs, outputs, Flops: 0, Parameters: 0, BytesMoved: 0);

    private static BrickTensor Tensor(string name, string type, params long[] shape) => new(name, type, shape);

    private static ModelProto Model(string name)
    {
        var model = new ModelProto { IrVersion = 7, ProducerName = "dlbricks-tests", Graph = new GraphProto { Name = name } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = op.ToLowerInvariant() };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        return node;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (var dim in shape)
            tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
