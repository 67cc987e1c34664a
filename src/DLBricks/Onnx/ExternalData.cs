using System.Globalization;
using DLBricks.Onnx.Protos;

namespace DLBricks.Onnx;

/// <summary>
/// Tensors whose bytes live in files next to the model (ONNX external data: <c>location</c>, <c>offset</c>, <c>length</c>).
/// This is how models over protobuf's 2 GB limit are stored; we check the files up front and read bytes only on demand.
/// </summary>
public static class ExternalData
{
    /// <summary>True when the tensor's data is stored externally.</summary>
    public static bool IsExternal(TensorProto tensor) => tensor.DataLocation == TensorProto.Types.DataLocation.External;

    /// <summary>Checks that every external data file exists and is long enough.</summary>
    /// <exception cref="InvalidModelException">A file is missing, escapes the model folder, or is too short.</exception>
    public static void Validate(OnnxModel model)
    {
        foreach (var tensor in AllTensors(model.Proto.Graph))
        {
            if (!IsExternal(tensor)) continue;
            var (file, offset, length) = Locate(model, tensor);
            if (!File.Exists(file))
                throw new InvalidModelException(
                    $"{model.Path}: tensor '{tensor.Name}' keeps its data in '{Entry(tensor, "location")}', which is missing next to the model ({file}); copy the external data file beside the .onnx file.");
            var size = new FileInfo(file).Length;
            var needed = offset + Math.Max(length, 0);
            if (size < needed)
                throw new InvalidModelException(
                    $"{model.Path}: external data file {file} is {size} bytes but tensor '{tensor.Name}' needs bytes up to {needed}; the file is truncated.");
        }
    }

    /// <summary>Reads the raw little-endian bytes of an external tensor.</summary>
    public static byte[] ReadBytes(OnnxModel model, TensorProto tensor)
    {
        var (file, offset, length) = Locate(model, tensor);
        if (length < 0)
            length = new FileInfo(file).Length - offset;
        var bytes = new byte[length];
        using var stream = File.OpenRead(file);
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Absolute path of the file holding the tensor's data.</summary>
    internal static (string File, long Offset, long Length) Locate(OnnxModel model, TensorProto tensor)
    {
        var location = Entry(tensor, "location")
                       ?? throw new InvalidModelException($"{model.Path}: external tensor '{tensor.Name}' has no 'location' entry.");
        if (Path.IsPathRooted(location) || location.Split('/', '\\').Contains(".."))
            throw new InvalidModelException($"{model.Path}: external data location '{location}' of tensor '{tensor.Name}' leaves the model folder; only relative paths inside it are allowed.");
        var offset = long.Parse(Entry(tensor, "offset") ?? "0", CultureInfo.InvariantCulture);
        var length = long.Parse(Entry(tensor, "length") ?? "-1", CultureInfo.InvariantCulture);
        return (Path.Combine(model.Directory, location), offset, length);
    }

    /// <summary>Every distinct external file the model refers to, relative to its folder.</summary>
    internal static IEnumerable<string> Files(ModelProto proto) =>
        AllTensors(proto.Graph).Where(IsExternal).Select(t => Entry(t, "location")).OfType<string>().Distinct();

    private static string? Entry(TensorProto tensor, string key) =>
        tensor.ExternalData.FirstOrDefault(e => e.Key == key)?.Value;

    private static IEnumerable<TensorProto> AllTensors(GraphProto graph)
    {
        foreach (var t in graph.Initializer) yield return t;
        foreach (var node in graph.Node)
        foreach (var attr in node.Attribute)
        {
            if (attr.T is not null) yield return attr.T;
            if (attr.G is not null)
                foreach (var t in AllTensors(attr.G)) yield return t;
            foreach (var g in attr.Graphs)
                foreach (var t in AllTensors(g)) yield return t;
        }
    }
}
