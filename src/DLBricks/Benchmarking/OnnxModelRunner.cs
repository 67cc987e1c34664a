using DLBricks.Export;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;
using DLBricks.Splitting;

namespace DLBricks.Benchmarking;

/// <summary>
/// One ONNX model (a brick or a whole model) ready to be run over and over at the lowest cost the managed API allows:
/// one <see cref="InferenceSession"/>, synthetic inputs and pre-allocated outputs created once and bound through an
/// <see cref="OrtIoBinding"/>, so <see cref="Run"/> is a single native call that allocates nothing on the managed heap.
/// </summary>
/// <remarks>
/// Where tensors live follows <see cref="TensorBinding.PlacementFor"/>. On the CPU provider inputs and outputs are host
/// memory; outputs whose shape is not static are bound to CPU memory that ONNX Runtime allocates per run. On the CUDA
/// provider the inputs are copied to device memory once, before timing, and outputs are bound to device memory (allocated
/// from the session's arena), so a timed run holds the kernels only, as inside the whole model; ONNX Runtime synchronises the
/// stream before <see cref="Run"/> returns. String tensors stay in host memory.
/// </remarks>
public sealed partial class OnnxModelRunner
{
    private readonly OrtMemoryInfo? _deviceMemory;
    private DeviceUpload? _upload;
    private bool _disposed;

    private OnnxModelRunner(RunConfiguration configuration, SessionOptions options, InferenceSession session, IReadOnlyList<BrickTensor>? inputs,
        IReadOnlyList<BrickTensor>? outputs, int seed)
        : this(options, session)
    {
        try
        {
            _deviceMemory = TensorBinding.DeviceMemoryFor(configuration);
            Inputs = ResolveInputs(session, inputs);
            var random = new Random(seed);
            foreach (var spec in Inputs)
                _values.Add(SyntheticInputs.Create(spec, random));
            BindInputs(configuration);
            BindOutputs(name => outputs?.FirstOrDefault(s => s.Name == name && s.Shape.All(d => d >= 0))?.Shape, _deviceMemory);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The inputs fed on every run, with the shapes actually used.</summary>
    public IReadOnlyList<BrickTensor> Inputs { get; } = [];

    /// <summary>
    /// Loads the model file and prepares its inputs. <paramref name="inputs"/> describes the graph inputs (as in a brick catalog);
    /// when null they come from the model, with unknown dimensions set to 1.
    /// </summary>
    /// <exception cref="ExecutionProviderUnavailableException">The configuration's provider is missing from the loaded ONNX Runtime.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime refuses the model.</exception>
    public static OnnxModelRunner Open(string modelPath, RunConfiguration configuration, IReadOnlyList<BrickTensor>? inputs = null,
        IReadOnlyList<BrickTensor>? outputs = null, int seed = 0)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"{modelPath}: model file not found.", modelPath);
        return Create(configuration, options => new InferenceSession(modelPath, options), inputs, outputs, seed);
    }

    /// <summary>
    /// Like the public overload, with <paramref name="configure"/> adjusting the session options after the configuration's
    /// (arena, denormal and allocator experiments; results measured this way must not be stored under the configuration).
    /// </summary>
    internal static OnnxModelRunner Open(string modelPath, RunConfiguration configuration, Action<SessionOptions> configure, int seed = 0)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"{modelPath}: model file not found.", modelPath);
        return Create(configuration, options =>
        {
            configure(options);
            return new InferenceSession(modelPath, options);
        }, null, null, seed);
    }

    /// <summary>Like <see cref="Open(string, RunConfiguration, IReadOnlyList{BrickTensor}?, IReadOnlyList{BrickTensor}?, int)"/> for a model held in memory.</summary>
    public static OnnxModelRunner Open(byte[] model, RunConfiguration configuration, IReadOnlyList<BrickTensor>? inputs = null,
        IReadOnlyList<BrickTensor>? outputs = null, int seed = 0)
        => Create(configuration, options => new InferenceSession(model, options), inputs, outputs, seed);

    /// <summary>Releases the session, the bound values and every option object.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        // The binding goes first: it holds the uploaded device tensors.
        ReleaseSession();
        _upload?.Dispose();
        _deviceMemory?.Dispose();
    }

    private static OnnxModelRunner Create(RunConfiguration configuration, Func<SessionOptions, InferenceSession> load,
        IReadOnlyList<BrickTensor>? inputs, IReadOnlyList<BrickTensor>? outputs, int seed)
    {
        var options = SessionOptionsFactory.Create(configuration);
        return new OnnxModelRunner(configuration, options, Load(options, load), inputs, outputs, seed);
    }

    private static IReadOnlyList<BrickTensor> ResolveInputs(InferenceSession session, IReadOnlyList<BrickTensor>? specs)
    {
        var metadata = session.InputMetadata;
        if (specs is null)
        {
            return metadata.Select(pair => new BrickTensor(pair.Key, SyntheticInputs.ElementTypeName(pair.Value.ElementDataType),
                pair.Value.Dimensions.Select(d => d < 0 ? 1L : d).ToArray())).ToList();
        }
        foreach (var spec in specs)
        {
            if (!metadata.ContainsKey(spec.Name))
                throw new ArgumentException($"the model has no input '{spec.Name}' (inputs: {string.Join(", ", metadata.Keys)}).");
        }
        var missing = metadata.Keys.Where(name => specs.All(s => s.Name != name)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"no input description for {string.Join(", ", missing)}.");
        return specs;
    }

    private void BindInputs(RunConfiguration configuration)
    {
        var onDevice = _deviceMemory is null ? [] : Enumerable.Range(0, Inputs.Count).Where(i => Inputs[i].ElementType != "string").ToList();
        if (onDevice.Count > 0)
            _upload = new DeviceUpload(configuration, _deviceMemory!, onDevice.Select(i => Inputs[i]).ToList(), onDevice.Select(i => _values[i]).ToList());
        for (var i = 0; i < Inputs.Count; i++)
        {
            var slot = onDevice.IndexOf(i);
            _binding.BindInput(Inputs[i].Name, slot >= 0 ? _upload!.DeviceValues[slot] : _values[i]);
        }
    }
}
