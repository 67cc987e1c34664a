using System.Globalization;
using DLBricks.Onnx.Protos;

namespace DLBricks.Onnx;

/// <summary>
/// Tensors whose bytes live in files next to the model (ONNX external data: <c>location</c>, <c>offset</c>, <c>length</c>).
/// This is how models over protobuf's 2 GB limit are stored; we check the files up front and read bytes only on demand.
/// </summary>
internal static class ExternalData
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
            // Locate bounds offset and length, so the sum cannot overflow.
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
            length = Math.Max(new FileInfo(file).Length - offset, 0);
        if (length > Array.MaxLength)
            throw new InvalidModelException($"{model.Path}: tensor '{tensor.Name}' has {length} bytes of external data, more than one buffer can hold; split the tensor.");
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
        var offset = Number(model, tensor, "offset", 0);
        var length = Number(model, tensor, "length", -1);
        if (offset < 0)
            throw new InvalidModelException($"{model.Path}: external data offset {offset} of tensor '{tensor.Name}' is negative; the model file is corrupt.");
        if (length < -1 || (length >= 0 && offset > long.MaxValue - length))
            throw new InvalidModelException($"{model.Path}: external data length {length} of tensor '{tensor.Name}' (offset {offset}) is out of range; the model file is corrupt.");
        // Links are resolved here so the size checks and reads below see the data file itself, not the link.
        var file = RealPath(Path.GetFullPath(Path.Combine(model.Directory, location)));
        if (!Inside(RealPath(Path.GetFullPath(model.Directory)), file))
            throw new InvalidModelException($"{model.Path}: external data location '{location}' of tensor '{tensor.Name}' is a link that leaves the model folder; copy the data file into the folder instead.");
        return (file, offset, length);
    }

    private static long Number(OnnxModel model, TensorProto tensor, string key, long missing)
    {
        var text = Entry(tensor, key);
        if (text is null) return missing;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new InvalidModelException($"{model.Path}: external data {key} '{Shorten(text)}' of tensor '{tensor.Name}' is not a whole number of bytes in range; the model file is corrupt.");
        return value;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    /// <summary>
    /// True when <paramref name="real"/> (a path with every symbolic link resolved) lies inside <paramref name="root"/> (also
    /// resolved): a link to <c>/etc/passwd</c> is refused like a <c>..</c> in the location.
    /// </summary>
    private static bool Inside(string root, string real)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return real.StartsWith(prefix, comparison);
    }

    // Resolves links component by component (a link may sit on any folder of the path, and its target may hold links itself);
    // a missing tail is kept as written. Link cycles stop after a fixed depth, leaving a path the inside check refuses or the
    // existence check reports.
    private static string RealPath(string full, int depth = 0)
    {
        var root = Path.GetPathRoot(full) ?? "";
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } target && depth < 40)
                next = RealPath(Path.GetFullPath(target, current), depth + 1);
            current = next;
        }
        return current;
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
