using DLBricks.Splitting;
using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarking;

/// <summary>Where a measured session's inputs and outputs live.</summary>
internal enum TensorPlacement
{
    /// <summary>CPU memory: what the CPU provider computes on.</summary>
    Host,

    /// <summary>
    /// CUDA device memory: inside a model, a brick's inputs are the previous brick's outputs, already on the device, so a brick
    /// measured with host tensors would pay host-to-device and device-to-host copies the model never pays.
    /// </summary>
    CudaDevice,
}

/// <summary>Chooses the placement of a session's inputs and outputs from the run configuration.</summary>
internal static class TensorBinding
{
    /// <summary>Device memory for the CUDA provider, host memory for every other provider.</summary>
    public static TensorPlacement PlacementFor(RunConfiguration configuration) =>
        string.Equals(configuration.ExecutionProvider, "cuda", StringComparison.OrdinalIgnoreCase) ? TensorPlacement.CudaDevice : TensorPlacement.Host;

    /// <summary>
    /// ONNX Runtime's description of the memory tensors are bound to under <paramref name="configuration"/>: the CUDA device
    /// allocator of the configured device (<c>Cuda</c>, device id) or null for host memory. The caller owns the result.
    /// </summary>
    public static OrtMemoryInfo? DeviceMemoryFor(RunConfiguration configuration) => PlacementFor(configuration) switch
    {
        TensorPlacement.CudaDevice => new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator,
            configuration.DeviceId ?? 0, OrtMemType.Default),
        _ => null,
    };
}

/// <summary>
/// Copies host tensors to device memory once, before timing starts, with a session of Identity nodes whose outputs are bound to
/// the device: ONNX Runtime does the copy with the provider's own data transfer, whatever the element type. The device tensors
/// come from this session's allocator, so it lives as long as the tensors are used; disposing it releases them.
/// </summary>
internal sealed class DeviceUpload : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly IDisposableReadOnlyCollection<OrtValue> _outputs;

    /// <summary>Copies <paramref name="hostValues"/> (one per spec) into <paramref name="deviceMemory"/>.</summary>
    public DeviceUpload(RunConfiguration configuration, OrtMemoryInfo deviceMemory, IReadOnlyList<BrickTensor> specs, IReadOnlyList<OrtValue> hostValues)
    {
        _options = SessionOptionsFactory.Create(configuration with { IntraOpThreads = 1, InterOpThreads = 1, ExecutionMode = "sequential", OptimizationLevel = "disabled" });
        try
        {
            _session = new InferenceSession(IdentityModel(specs), _options);
            _binding = _session.CreateIoBinding();
            for (var i = 0; i < specs.Count; i++)
            {
                _binding.BindInput($"x{i}", hostValues[i]);
                _binding.BindOutputToDevice($"y{i}", deviceMemory);
            }
            _session.RunWithBinding(_runOptions, _binding);
            _binding.SynchronizeBoundOutputs();
            _outputs = _binding.GetOutputValues();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The device copies, in the order of the specs.</summary>
    public IReadOnlyList<OrtValue> DeviceValues => _outputs;

    public void Dispose()
    {
        _outputs?.Dispose();
        _binding?.Dispose();
        _runOptions.Dispose();
        _session?.Dispose();
        _options.Dispose();
    }

    /// <summary>One Identity node per input, inputs typed but of any shape.</summary>
    private static byte[] IdentityModel(IReadOnlyList<BrickTensor> specs)
    {
        var model = new ModelProto { IrVersion = 7, ProducerName = "dlbricks-device-upload", Graph = new GraphProto { Name = "upload" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        for (var i = 0; i < specs.Count; i++)
        {
            var type = ElementTypes.FromName(specs[i].ElementType);
            model.Graph.Input.Add(Tensor($"x{i}", type));
            model.Graph.Output.Add(Tensor($"y{i}", type));
            var node = new NodeProto { OpType = "Identity", Name = $"upload{i}" };
            node.Input.Add($"x{i}");
            node.Output.Add($"y{i}");
            model.Graph.Node.Add(node);
        }
        return model.ToByteArray();
    }

    private static ValueInfoProto Tensor(string name, int elementType) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType } } };
}
