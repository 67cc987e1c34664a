using DLBricks.Graph;
using DLBricks.Onnx;
using Microsoft.ML.OnnxRuntime;
using DLBricks.Splitting;

namespace DLBricks.Benchmarking;

/// <summary>How a runner turns a query of <see cref="BatchPlan.BatchSize"/> samples into runs.</summary>
internal enum BatchStrategy
{
    /// <summary>The model's leading dimension is dynamic and is set to the batch size: one run per query.</summary>
    DynamicDimension,

    /// <summary>The model's batch dimension is fixed, so a query repeats the run until it has processed the batch.</summary>
    RepeatedRuns,
}

/// <summary>How one query of <paramref name="BatchSize"/> samples is run.</summary>
/// <param name="BatchSize">Samples per query.</param>
/// <param name="Strategy">Dynamic batch dimension or repeated runs.</param>
/// <param name="RunsPerQuery">Session runs per query (1 unless the batch dimension is fixed and smaller than the batch).</param>
internal sealed record BatchPlan(int BatchSize, BatchStrategy Strategy, int RunsPerQuery)
{
    /// <summary>One sample, one run: every brick, and a whole model measured at its resolved inputs.</summary>
    public static BatchPlan Single { get; } = new(1, BatchStrategy.RepeatedRuns, 1);
}

/// <summary>How a whole model is opened by <see cref="OnnxModelRunner.OpenModel"/>.</summary>
/// <param name="Inputs">
/// The model's resolved inputs (<see cref="ModelInputs"/>): their shapes and integer/bool values are fed, so every engine sees
/// what the shape probe and the bricks saw; null resolves them from the model without bindings. A dynamic leading dim still
/// takes <paramref name="BatchSize"/> when that is above 1.
/// </param>
/// <param name="BatchSize">Samples per query (offline scenario); see <see cref="BatchPlan"/>.</param>
/// <param name="ProfilePrefix">When set, ONNX Runtime profiling is on and writes its trace to files starting with this path.</param>
/// <param name="Seed">Seed of the synthetic inputs; both engines use <see cref="OnnxModelRunner.ModelSeed"/>.</param>
internal sealed record ModelRunOptions(ModelInputs? Inputs = null, int BatchSize = 1, string? ProfilePrefix = null, int Seed = OnnxModelRunner.ModelSeed);

/// <summary>
/// One ONNX model (a brick or a whole model) ready to be run over and over at the lowest cost the managed API allows:
/// one <see cref="InferenceSession"/>, synthetic inputs (<see cref="SyntheticInputs"/>) and pre-allocated outputs created once
/// and bound through an <see cref="OrtIoBinding"/>, so <see cref="Run"/> is a single native call that allocates nothing on the
/// managed heap. It is the one session wrapper of the library: every <see cref="ILatencyEngine"/>, the profile check and the
/// validation's trial runs open their models through it.
/// </summary>
/// <remarks>
/// Where tensors live follows <see cref="TensorBinding.PlacementFor"/>. On the CPU provider inputs and outputs are host
/// memory; outputs whose shape is not static are bound to CPU memory that ONNX Runtime allocates per run. On the CUDA
/// provider the inputs are copied to device memory once, before timing, and outputs are bound to device memory (allocated
/// from the session's arena), so a timed run holds the kernels only, as inside the whole model; ONNX Runtime synchronises the
/// stream before <see cref="Run"/> returns. String tensors stay in host memory. The runner owns its session, options and
/// tensors; <see cref="Dispose"/> releases them.
/// </remarks>
internal sealed partial class OnnxModelRunner
{
    /// <summary>Seed of a whole model's synthetic inputs, the same for every engine (bricks are seeded by their hash).</summary>
    public const int ModelSeed = 1;

    private readonly OrtMemoryInfo? _deviceMemory;
    private DeviceUpload? _upload;
    private bool _disposed;

    private OnnxModelRunner(RunConfiguration configuration, SessionOptions options, InferenceSession session,
        Func<InferenceSession, (IReadOnlyList<BrickTensor> Inputs, BatchPlan Batch)> resolve, IReadOnlyList<BrickTensor>? outputs, int seed)
        : this(options, session)
    {
        try
        {
            _deviceMemory = TensorBinding.DeviceMemoryFor(configuration);
            (Inputs, Batch) = resolve(session);
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

    /// <summary>How a query is run: <see cref="BatchPlan.Single"/> except for a whole model opened at a batch size above 1.</summary>
    public BatchPlan Batch { get; } = BatchPlan.Single;

    /// <summary>The call an engine times for one query: <see cref="Run"/> itself when a query is one run.</summary>
    public Action Query => Batch.RunsPerQuery == 1 ? Run : RunQuery;

    /// <summary>Runs one query: <see cref="BatchPlan.RunsPerQuery"/> runs.</summary>
    public void RunQuery()
    {
        for (var i = 0; i < Batch.RunsPerQuery; i++) Run();
    }

    /// <summary>The host tensor synthesized for input <paramref name="index"/> of <see cref="Inputs"/> (owned by the runner).</summary>
    internal OrtValue InputValue(int index) => index >= 0 && index < Inputs.Count ? _values[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Stops profiling and returns the trace file ONNX Runtime wrote (runners opened with a profile prefix only).</summary>
    public string EndProfiling() => _session.EndProfiling();

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

    /// <summary>
    /// Opens one brick of the catalog in <paramref name="catalogFolder"/> the way every engine measures it: the catalog's input
    /// and output descriptions, inputs seeded by the brick's hash.
    /// </summary>
    public static OnnxModelRunner OpenBrick(string catalogFolder, BrickEntry brick, RunConfiguration configuration)
        => Open(Path.GetFullPath(Path.Combine(catalogFolder, brick.File)), configuration, brick.Inputs, brick.Outputs, SyntheticInputs.SeedFrom(brick.Hash));

    /// <summary>
    /// Opens a whole model for end-to-end runs on its resolved inputs (<see cref="ModelRunOptions.Inputs"/>, the one resolution
    /// the shape probe, the bricks, the scenarios and the profile check share). A model whose inputs are re-declared at another
    /// batch size runs re-declared; a dynamic leading dimension takes <see cref="ModelRunOptions.BatchSize"/> when above 1, a
    /// fixed one is run <see cref="BatchPlan.RunsPerQuery"/> times per query.
    /// </summary>
    /// <exception cref="InvalidModelException">
    /// The file is missing, is not a model ONNX Runtime can load, or has inputs that cannot be resolved (e.g. over the memory
    /// limit) or fed; the message names it.
    /// </exception>
    /// <exception cref="ExecutionProviderUnavailableException">The configuration's provider is missing from the loaded ONNX Runtime.</exception>
    public static OnnxModelRunner OpenModel(string modelPath, RunConfiguration configuration, ModelRunOptions? options = null)
    {
        options ??= new ModelRunOptions();
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "batch size must be at least 1.");
        if (!File.Exists(modelPath)) throw new InvalidModelException($"{modelPath}: model not found.");
        // A whole model with nothing said about its inputs gets the one resolution every other path uses.
        var inputs = options.Inputs ?? ModelInputs.Resolve(modelPath);
        // Inputs re-declared at another batch size: the session runs the re-declared copy, named as the file in messages.
        var resized = inputs.ResizedBytes(modelPath);
        return CreateModel(modelPath, configuration, options, inputs,
            resized is null ? o => new InferenceSession(modelPath, o) : o => new InferenceSession(resized, o));
    }

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
        return new OnnxModelRunner(configuration, options, Load(options, load), session => (ResolveInputs(session, inputs), BatchPlan.Single), outputs, seed);
    }

    private static OnnxModelRunner CreateModel(string name, RunConfiguration configuration, ModelRunOptions options, ModelInputs inputs,
        Func<SessionOptions, InferenceSession> load)
    {
        var sessionOptions = SessionOptionsFactory.Create(configuration);
        if (options.ProfilePrefix is not null)
        {
            sessionOptions.EnableProfiling = true;
            sessionOptions.ProfileOutputPathPrefix = options.ProfilePrefix;
        }
        InferenceSession session;
        try
        {
            session = Load(sessionOptions, load);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidModelException($"{name}: ONNX Runtime cannot load the model ({e.Message.ReplaceLineEndings(" ").Trim()}).", e);
        }
        return new OnnxModelRunner(configuration, sessionOptions, session, s => ModelSpecs(name, s, inputs, options.BatchSize), null, options.Seed);
    }

    /// <summary>
    /// A whole model's input specs: the resolved shapes and integer/bool values; a dynamic leading dim set to the batch size when
    /// that is above 1 (or when the input was not resolved), other free dims 1.
    /// </summary>
    private static (IReadOnlyList<BrickTensor>, BatchPlan) ModelSpecs(string name, InferenceSession session, ModelInputs resolved, int batchSize)
    {
        var specs = new List<BrickTensor>();
        var staticBatch = 0L;
        var dynamic = false;
        foreach (var (input, meta) in session.InputMetadata)
        {
            if (!meta.IsTensor) throw new InvalidModelException($"{name}: input '{input}' is not a tensor.");
            var declared = meta.Dimensions.Select(d => (long)d).ToArray();
            var given = resolved.Find(input);
            var shape = given is not null ? (long[])given.Shape.Clone() : (long[])declared.Clone();
            if (declared.Length > 0)
            {
                if (declared[0] <= 0)
                {
                    dynamic = true;
                    if (given is null || batchSize > 1) shape[0] = batchSize;
                }
                else staticBatch = Math.Max(staticBatch, declared[0]);
            }
            // Other free dimensions have no meaningful size we could know; 1 keeps the run valid and small.
            for (var i = 1; i < shape.Length; i++) if (shape[i] <= 0) shape[i] = 1;
            // ORT's enum numbers ONNX's data types.
            TensorSize.CheckedElementCount(shape, (int)meta.ElementDataType, resolved.MemoryLimitBytes, $"{name}: input '{input}'");
            specs.Add(new BrickTensor(input, SyntheticInputs.ElementTypeName(meta.ElementDataType), shape,
                given is null ? null : ModelInputs.ExpandedIntegers(given)));
        }
        var plan = dynamic || staticBatch == 0
            ? new BatchPlan(batchSize, BatchStrategy.DynamicDimension, 1)
            : new BatchPlan(batchSize, BatchStrategy.RepeatedRuns, (int)((batchSize + staticBatch - 1) / staticBatch));
        return (specs, plan);
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
