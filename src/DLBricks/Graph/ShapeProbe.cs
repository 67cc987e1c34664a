using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Graph;

/// <summary>
/// Learns the type and shape of every tensor by asking ONNX Runtime: the model runs once, with optimizations off and every
/// node output exposed as a graph output, on synthetic inputs sized from <see cref="ModelInputBindings"/>. The same run
/// captures the values of integer tensors (shape tensors, indices, sizes) and of tiny float tensors, which bricks embed.
/// No per-op shape inference of our own: the runtime is the authority.
/// </summary>
public static class ShapeProbe
{
    /// <summary>A graph input with its resolved static shape and the values fed to it.</summary>
    public sealed record ResolvedInput(string Name, int ElementType, long[] Shape, double[]? Values);

    /// <summary>Resolves the model's real inputs (graph inputs that are not initializers) to static shapes.</summary>
    /// <exception cref="InvalidModelException">A dim has no value; the message names the input, the dim and the option to give.</exception>
    public static IReadOnlyList<ResolvedInput> ResolveInputs(OnnxModel model, ModelInputBindings bindings)
    {
        var graph = model.Proto.Graph;
        var initializers = new HashSet<string>(graph.Initializer.Select(i => i.Name));
        var resolved = new List<ResolvedInput>();
        foreach (var input in graph.Input)
        {
            if (initializers.Contains(input.Name)) continue;
            if (input.Type?.TensorType is not { } tensorType)
                throw new InvalidModelException($"{model.Path}: input '{input.Name}' is not a tensor (sequence/map inputs are not supported).");
            long[] shape;
            if (bindings.Shapes.TryGetValue(input.Name, out var given))
            {
                shape = given;
            }
            else
            {
                var dims = tensorType.Shape?.Dim;
                if (dims is null)
                    throw new InvalidModelException($"{model.Path}: input '{input.Name}' has no shape; give one with --shape {input.Name}=D0,D1,...");
                shape = new long[dims.Count];
                for (var d = 0; d < dims.Count; d++)
                {
                    var dim = dims[d];
                    if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue > 0)
                        shape[d] = dim.DimValue;
                    else if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam && bindings.Dims.TryGetValue(dim.DimParam, out var v))
                        shape[d] = v;
                    else if (d == 0)
                        shape[d] = 1; // documented default: an unset leading dim is the batch dim, taken as 1
                    else
                    {
                        var symbol = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? dim.DimParam : "?";
                        throw new InvalidModelException(
                            $"{model.Path}: input '{input.Name}' dim {d} ('{symbol}') has no value; give it with --dim {symbol}=N or --shape {input.Name}=D0,D1,...");
                    }
                }
            }
            if (shape.Any(d => d < 0))
                throw new InvalidModelException($"{model.Path}: input '{input.Name}' shape [{string.Join(',', shape)}] has a negative dim.");
            bindings.Values.TryGetValue(input.Name, out var values);
            if (values is not null && values.Length != 1 && values.Length != TensorValues.ElementCount(shape))
                throw new InvalidModelException(
                    $"{model.Path}: --value {input.Name} gives {values.Length} values but the input has {TensorValues.ElementCount(shape)} elements; give one value or one per element.");
            resolved.Add(new ResolvedInput(input.Name, tensorType.ElemType, shape, values));
        }
        return resolved;
    }

    /// <summary>Runs the probe and returns what it learned about every node output, keyed by tensor name.</summary>
    /// <exception cref="InvalidModelException">ONNX Runtime refuses or fails to run the model; the message carries its reason.</exception>
    /// <param name="model">The model to probe.</param>
    /// <param name="inputs">Resolved inputs to feed.</param>
    /// <param name="provider">Execution provider to run on: a graph optimized for CUDA may hold operators only CUDA implements.</param>
    public static IReadOnlyDictionary<string, TensorInfo> Run(OnnxModel model, IReadOnlyList<ResolvedInput> inputs, string provider = "cpu")
    {
        var probe = model.Proto.Clone();
        var outputs = new List<string>();
        var existing = new HashSet<string>(probe.Graph.Output.Select(o => o.Name));
        foreach (var node in probe.Graph.Node)
        foreach (var output in node.Output)
        {
            if (output.Length == 0) continue;
            outputs.Add(output);
            // A ValueInfoProto with only a name lets the runtime infer the type; that is how intermediates are exposed.
            if (existing.Add(output)) probe.Graph.Output.Add(new ValueInfoProto { Name = output });
        }

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // The probe model is loaded from memory; external data still resolves against the original model's folder.
        if (model.HasExternalData)
            options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", model.Directory);
        RuntimeOptimizer.AppendProvider(options, provider, model.Path);
        InferenceSession session;
        try
        {
            session = new InferenceSession(probe.ToByteArray(), options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidModelException($"{model.Path}: ONNX Runtime cannot load the model: {OneLine(e.Message)}", e);
        }

        using (session)
        {
            var feeds = new List<OrtValue>();
            try
            {
                foreach (var input in inputs)
                    feeds.Add(SyntheticTensor.Create(input.ElementType, input.Shape, input.Values, seed: input.Name.Length));
                using var runOptions = new RunOptions();
                IDisposableReadOnlyCollection<OrtValue> results;
                try
                {
                    results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), feeds, outputs.ToArray());
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidModelException($"{model.Path}: the probe run failed in ONNX Runtime: {OneLine(e.Message)} (check --shape/--dim/--value)", e);
                }
                using (results)
                {
                    var infos = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
                    for (var i = 0; i < outputs.Count; i++)
                        infos[outputs[i]] = Describe(results[i]);
                    return infos;
                }
            }
            finally
            {
                foreach (var f in feeds) f.Dispose();
            }
        }
    }

    internal static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.Length > 400 ? line[..400] + "..." : line;
    }

    private static TensorInfo Describe(OrtValue value)
    {
        switch (value.OnnxType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                var info = value.GetTensorTypeAndShape();
                var type = (int)info.ElementDataType;
                var count = info.ElementCount;
                long[]? ints = null;
                float[]? floats = null;
                if ((ElementTypes.IsInteger(type) || type == (int)TensorProto.Types.DataType.Bool) && count <= TensorInfo.MaxKeptIntegerElements)
                    ints = SyntheticTensor.ReadIntegers(value, type);
                else if (type == (int)TensorProto.Types.DataType.Float && count <= TensorInfo.MaxKeptFloatElements)
                    floats = value.GetTensorDataAsSpan<float>().ToArray();
                return new TensorInfo { ElementType = type, Shape = info.Shape, IntegerValues = ints, FloatValues = floats };
            case OnnxValueType.ONNX_TYPE_SEQUENCE:
                return new TensorInfo { ElementType = 0, Shape = null, Kind = "sequence" };
            case OnnxValueType.ONNX_TYPE_MAP:
                return new TensorInfo { ElementType = 0, Shape = null, Kind = "map" };
            default:
                return new TensorInfo { ElementType = 0, Shape = null, Kind = "optional" };
        }
    }
}
