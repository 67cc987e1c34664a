using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Onnx;

/// <summary>
/// An ONNX model read from disk: the parsed <see cref="ModelProto"/> plus where it came from, so tensors stored as
/// external data can be found next to it. Weight bytes kept in external files are not loaded until asked for.
/// </summary>
internal sealed class OnnxModel
{
    private OnnxModel(ModelProto proto, string path)
    {
        Proto = proto;
        Path = path;
        Name = System.IO.Path.GetFileNameWithoutExtension(path);
    }

    /// <summary>The parsed model.</summary>
    public ModelProto Proto { get; }

    /// <summary>Full path of the model file.</summary>
    public string Path { get; }

    /// <summary>Model name: the file name without extension.</summary>
    public string Name { get; }

    /// <summary>Folder external data locations are relative to.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path) ?? ".";

    /// <summary>True when any initializer keeps its bytes in an external file.</summary>
    public bool HasExternalData => Proto.Graph.Initializer.Any(ExternalData.IsExternal);

    /// <summary>Opset version the model imports for <paramref name="domain"/> (<c>""</c> and <c>ai.onnx</c> are the default domain).</summary>
    public long OpsetVersion(string domain) => OpsetOf(Proto, domain);

    internal static long OpsetOf(ModelProto proto, string domain)
    {
        var wanted = domain is "ai.onnx" ? "" : domain;
        foreach (var op in proto.OpsetImport)
            if ((op.Domain is "ai.onnx" ? "" : op.Domain) == wanted)
                return op.Version;
        return 1;
    }

    /// <summary>Wraps an in-memory model (e.g. one built in code); external data resolves against <paramref name="path"/>'s folder.</summary>
    public static OnnxModel FromProto(ModelProto proto, string path) => new(proto, System.IO.Path.GetFullPath(path));

    /// <summary>
    /// True when <see cref="Proto"/> differs from the file at <see cref="Path"/> (inputs re-declared at another batch size): whoever
    /// opens an ONNX Runtime session must load <see cref="Proto"/>'s bytes, not the file.
    /// </summary>
    public bool DiffersFromFile { get; private init; }

    /// <summary>A changed copy of <paramref name="original"/>'s proto, under the original's path for messages and external data.</summary>
    public static OnnxModel Changed(ModelProto proto, OnnxModel original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return new OnnxModel(proto, original.Path) { DiffersFromFile = true };
    }

    /// <summary>Deepest If/Loop/Scan nesting a model file may have (each level is a node, an attribute and a graph message).</summary>
    public const int MaxControlFlowDepth = 300;

    private const int MaxMessageNesting = 3 * MaxControlFlowDepth + 8;

    /// <summary>Reads and checks an ONNX file.</summary>
    /// <exception cref="InvalidModelException">The file is missing, truncated, not ONNX, has no graph, or names external data that is missing.</exception>
    public static OnnxModel Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new InvalidModelException($"{path}: file not found.");
        ModelProto proto;
        try
        {
            using var stream = File.OpenRead(full);
            if (stream.Length == 0)
                throw new InvalidModelException($"{path}: empty file, not an ONNX model.");
            // Protobuf's default recursion limit (100 messages, about 33 levels of If/Loop/Scan) is too low for some exports;
            // a finite limit still keeps a hostile file from overflowing the stack.
            var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, MaxMessageNesting);
            proto = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e) when (e.Message.Contains("levels of nesting", StringComparison.Ordinal))
        {
            throw new InvalidModelException(
                $"{path}: control flow is nested too deeply (If/Loop/Scan bodies inside each other beyond {MaxControlFlowDepth} levels); DLBricks cannot read it.", e);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidModelException($"{path}: not a valid ONNX protobuf (truncated or corrupt file: {e.Message.TrimEnd('.')}).", e);
        }
        catch (IOException e)
        {
            throw new InvalidModelException($"{path}: cannot read file ({e.Message}).", e);
        }

        if (proto.Graph is null || proto.Graph.Node.Count == 0)
            throw new InvalidModelException($"{path}: no graph with nodes; not an ONNX model (or an empty one).");
        if (proto.IrVersion <= 0 || proto.IrVersion > 64)
            throw new InvalidModelException($"{path}: implausible ir_version {proto.IrVersion}; not an ONNX model.");
        var model = new OnnxModel(proto, full);
        var defaultOpset = model.OpsetVersion("");
        if (proto.Graph.Node.Any(n => n.Domain is "" or "ai.onnx") && defaultOpset < 7)
            throw new InvalidModelException($"{path}: opset {defaultOpset} is older than the supported minimum 7; convert the model with onnx.version_converter.");
        ExternalData.Validate(model);
        return model;
    }
}
