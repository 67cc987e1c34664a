using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarking;

// Portable half: the run path (one session, tensors bound once through IO binding, one native call per run). Compiled into
// the library and, as it is, into every emitted suite (docs/emit.md), so a suite times exactly what `dlbricks bench` times.
// It may use only the BCL and ONNX Runtime.
sealed partial class OnnxModelRunner : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private readonly List<OrtValue> _values = [];

    /// <summary>Takes ownership of <paramref name="options"/> and <paramref name="session"/>.</summary>
    private OnnxModelRunner(SessionOptions options, InferenceSession session)
    {
        _options = options;
        _session = session;
        _binding = session.CreateIoBinding();
    }

    /// <summary>Runs the model once on the prepared inputs.</summary>
    public void Run() => _session.RunWithBinding(_runOptions, _binding);

    /// <summary>Loads a session with <paramref name="options"/>, disposing them when loading fails (the runner owns them otherwise).</summary>
    private static InferenceSession Load(SessionOptions options, Func<SessionOptions, InferenceSession> load)
    {
        try
        {
            return load(options);
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds every output: to <paramref name="deviceMemory"/> when given (ONNX Runtime allocates there), else to a pre-allocated
    /// host tensor of the model's static shape or <paramref name="knownShape"/>; an output of unknown shape, or of strings, is
    /// bound to CPU memory that ONNX Runtime allocates on each run.
    /// </summary>
    private void BindOutputs(Func<string, long[]?> knownShape, OrtMemoryInfo? deviceMemory)
    {
        foreach (var (name, meta) in _session.OutputMetadata)
        {
            if (deviceMemory is not null && meta.IsTensor && !meta.IsString)
            {
                _binding.BindOutputToDevice(name, deviceMemory);
                continue;
            }
            var shape = meta.IsTensor && !meta.IsString && meta.Dimensions.All(d => d >= 0)
                ? meta.Dimensions.Select(d => (long)d).ToArray()
                : knownShape(name);
            if (shape is null || !meta.IsTensor || meta.IsString)
            {
                _binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
                continue;
            }
            var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, meta.ElementDataType, shape);
            _values.Add(value);
            _binding.BindOutput(name, value);
        }
    }

    /// <summary>Releases the binding, every owned tensor, the session and its options, in that order.</summary>
    private void ReleaseSession()
    {
        _binding.Dispose();
        foreach (var value in _values)
            value.Dispose();
        _values.Clear();
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }
}
