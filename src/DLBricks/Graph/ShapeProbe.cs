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
internal static class ShapeProbe
{
    /// <summary>A graph input with its resolved static shape and the values fed to it.</summary>
    public sealed record ResolvedInput(string Name, int ElementType, long[] Shape, double[]? Values);

    /// <summary>Resolves the model's real inputs (graph inputs that are not initializers); see <see cref="ModelInputs.Resolve(OnnxModel, ModelInputBindings?)"/>.</summary>
    /// <exception cref="InvalidModelException">A dim has no value or a shape is over the memory limit; the message names the input and the option to give.</exception>
    public static IReadOnlyList<ResolvedInput> ResolveInputs(OnnxModel model, ModelInputBindings bindings) => ModelInputs.Resolve(model, bindings).Inputs;

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
