using DLBricks.Export;
using DLBricks.Onnx.Protos;
using DLBricks.Splitting;
using Google.Protobuf;

namespace DLBricks.Tests.Export;

/// <summary>
/// The audit's byte scan keys searched strings by content-defined anchors and reads files in blocks; these tests plant trained
/// bytes at offsets chosen to hit every case of that scheme (file start and end, block boundaries, any alignment against the
/// tensor) and check each copy is found at its own offset.
/// </summary>
public class PrivacyAuditScanTests
{
    private const int Floats = 4096;

    private static (string Model, byte[] Trained) SaveModel(string folder)
    {
        var random = new Random(7);
        var trained = new byte[Floats * 4];
        for (var i = 0; i < Floats; i++) BitConverter.TryWriteBytes(trained.AsSpan(i * 4), random.NextSingle() * 2 - 1);
        var graph = new GraphProto { Name = "g" };
        graph.Input.Add(Value("x"));
        graph.Output.Add(Value("y"));
        var weight = new TensorProto { Name = "trained_weight", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(trained) };
        weight.Dims.Add(Floats);
        graph.Initializer.Add(weight);
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { "x", "trained_weight" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return (path, trained);

        static ValueInfoProto Value(string name)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = Floats });
            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
        }
    }

    // What the audit requires of a folder (a catalog); the tests put their own files in bricks/.
    private static string EmptySplitFolder(TempFolder temp)
    {
        var split = temp.File("split");
        Directory.CreateDirectory(Path.Combine(split, "bricks"));
        File.WriteAllText(Path.Combine(split, BrickCatalog.FileName), "{}");
        return split;
    }

    [Fact]
    public void EveryCopiedWindowIsFoundAtItsFirstOffsetWhereverItLands()
    {
        using var temp = new TempFolder();
        var (model, trained) = SaveModel(temp.Path);
        var split = EmptySplitFolder(temp);

        // File offsets: the start, either side of the scan's 4096-byte blocks, the last possible offset; tensor offsets of
        // every alignment against 4-byte floats.
        const int fileLength = 3 * 4096 + 100;
        var expected = new Dictionary<string, int>();
        var noise = new Random(11);
        var n = 0;
        foreach (var at in new[] { 0, 1, 4033, 4090, 4095, 4096, 8190, fileLength - 64 })
        foreach (var from in new[] { 0, 1, 2, 3, 1001, trained.Length - 64 })
        {
            var bytes = new byte[fileLength];
            noise.NextBytes(bytes);
            trained.AsSpan(from, 64).CopyTo(bytes.AsSpan(at));
            var name = $"bricks/{n++:D3}.onnx";
            File.WriteAllBytes(Path.Combine(split, name), bytes);
            expected[name] = at;
        }
        // Two copies of one window in one block: the finding names the first.
        var twice = new byte[fileLength];
        noise.NextBytes(twice);
        trained.AsSpan(400, 64).CopyTo(twice.AsSpan(3000));
        trained.AsSpan(400, 64).CopyTo(twice.AsSpan(2100));
        File.WriteAllBytes(Path.Combine(split, "bricks/twice.onnx"), twice);
        expected["bricks/twice.onnx"] = 2100;
        // Noise alone: nothing.
        var clean = new byte[fileLength];
        noise.NextBytes(clean);
        File.WriteAllBytes(Path.Combine(split, "bricks/clean.onnx"), clean);

        var report = PrivacyAudit.Run(split, [model]);

        Assert.Equal(1, report.WindowStride);
        Assert.DoesNotContain(report.Findings, f => f.File == "bricks/clean.onnx");
        foreach (var (file, offset) in expected)
        {
            var finding = Assert.Single(report.Findings, f => f.File == file);
            Assert.Equal(PrivacyFindingKind.Value, finding.Kind);
            Assert.Contains("'trained_weight'", finding.What);
            Assert.Equal(offset, finding.Offset);
        }
    }

    [Fact]
    public void AShortRunOfTrainedBytesIsNotAFinding()
    {
        using var temp = new TempFolder();
        var (model, trained) = SaveModel(temp.Path);
        var split = EmptySplitFolder(temp);
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        // 63 bytes: shorter than a window, and the tensor is longer than one, so only whole windows count.
        trained.AsSpan(100, 63).CopyTo(bytes.AsSpan(500));
        File.WriteAllBytes(Path.Combine(split, "bricks/short.onnx"), bytes);

        Assert.True(PrivacyAudit.Run(split, [model]).IsClean);
    }
}
