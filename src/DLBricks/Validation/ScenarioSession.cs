using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DLBricks.Validation;

/// <summary>How a session turns a query of <c>BatchSize</c> samples into runs.</summary>
internal enum BatchStrategy
{
    /// <summary>The model's leading dimension is dynamic and is set to the batch size: one run per query.</summary>
    DynamicDimension,

    /// <summary>The model's batch dimension is fixed, so a query repeats the run until it has processed the batch.</summary>
    RepeatedRuns,
}

/// <summary>How to open a model for end-to-end measurement.</summary>
/// <param name="BatchSize">Samples per query.</param>
/// <param name="IntraOpThreads">Intra-op threads (0 = ONNX Runtime default).</param>
/// <param name="InterOpThreads">Inter-op threads (0 = ONNX Runtime default).</param>
/// <param name="Optimization">Graph optimization level.</param>
/// <param name="ProfilePrefix">When set, ONNX Runtime profiling is on and writes its trace to files starting with this path.</param>
/// <param name="IntegerInputs">
/// Values for integer inputs by name (e.g. a brick's indices or shape tensor from <c>BrickTensor.Values</c>), repeated to
/// fill the tensor; integer inputs not listed are zeros. Ignored for inputs <paramref name="Inputs"/> resolves.
/// </param>
/// <param name="Inputs">
/// A whole model's resolved inputs (<see cref="Graph.ModelInputs"/>): their shapes and integer/bool values are fed, so a
/// scenario or profile run sees what the shape probe and the bricks saw. A dynamic leading dim still takes <paramref name="BatchSize"/>
/// when that is above 1.
/// </param>
/// <param name="SharedPool">
/// Run on the process's shared ONNX Runtime thread pool (<see cref="Benchmarking.SharedThreadPool"/>) instead of the session's
/// own, as the bricks and end-to-end runs of a configuration measured on it do.
/// </param>
internal sealed record ScenarioSessionOptions(
    int BatchSize = 1,
    int IntraOpThreads = 0,
    int InterOpThreads = 0,
    GraphOptimizationLevel Optimization = GraphOptimizationLevel.ORT_ENABLE_ALL,
    string? ProfilePrefix = null,
    IReadOnlyDictionary<string, long[]>? IntegerInputs = null,
    Graph.ModelInputs? Inputs = null,
    bool SharedPool = false);

/// <summary>
/// An ONNX Runtime session with inputs created once (seeded random data for floats, zeros otherwise), so a query costs
/// only the run itself. Owns every native handle it creates.
/// </summary>
internal sealed class ScenarioSession : IDisposable
{
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly List<OrtValue> _inputs = [];
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private ScenarioSession(string model, SessionOptions sessionOptions, InferenceSession session, int batchSize, IReadOnlyDictionary<string, long[]>? integerInputs,
        Graph.ModelInputs? resolved)
    {
        Model = model;
        _sessionOptions = sessionOptions;
        _session = session;
        _runOptions = new RunOptions();
        BatchSize = batchSize;
        _inputNames = [.. session.InputMetadata.Keys];
        _outputNames = [.. session.OutputMetadata.Keys];

        var staticBatch = 0L;
        var dynamic = false;
        var random = new Random(20200420);
        try
        {
            foreach (var name in _inputNames)
            {
                var meta = session.InputMetadata[name];
                if (!meta.IsTensor) throw new InvalidDataException($"{model}: input '{name}' is not a tensor.");
                var declared = meta.Dimensions.Select(d => (long)d).ToArray();
                var given = resolved?.Find(name);
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
                var values = given is not null ? Graph.ModelInputs.ExpandedIntegers(given)
                    : integerInputs is not null && integerInputs.TryGetValue(name, out var listed) && listed.Length > 0 ? listed : null;
                var limit = resolved?.MemoryLimitBytes ?? Graph.ModelInputBindings.DefaultMemoryLimitBytes;
                _inputs.Add(CreateInput(model, name, meta.ElementDataType, shape, random, values, limit));
            }
        }
        catch
        {
            // The session and its options belong to the caller until construction succeeds.
            foreach (var input in _inputs) input.Dispose();
            _runOptions.Dispose();
            throw;
        }

        if (dynamic || staticBatch == 0)
        {
            Strategy = BatchStrategy.DynamicDimension;
            RunsPerQuery = 1;
        }
        else
        {
            Strategy = BatchStrategy.RepeatedRuns;
            RunsPerQuery = (int)((batchSize + staticBatch - 1) / staticBatch);
        }
    }

    /// <summary>
    /// Opens <paramref name="modelPath"/>. Without <see cref="ScenarioSessionOptions.Inputs"/> or <see cref="ScenarioSessionOptions.IntegerInputs"/>
    /// its inputs are resolved as <see cref="Graph.ModelInputs.Resolve(string, Graph.ModelInputBindings?)"/> does without bindings.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The file is missing, is not a model ONNX Runtime can load, or has inputs we cannot resolve (e.g. over the memory limit) or
    /// fill; the message names it.
    /// </exception>
    public static ScenarioSession Open(string modelPath, ScenarioSessionOptions? options = null)
    {
        options ??= new ScenarioSessionOptions();
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "batch size must be at least 1.");
        if (!File.Exists(modelPath)) throw new InvalidDataException($"{modelPath}: model not found.");
        // A whole model with nothing said about its inputs gets the one resolution every other path uses.
        if (options.Inputs is null && options.IntegerInputs is null)
        {
            try
            {
                options = options with { Inputs = Graph.ModelInputs.Resolve(modelPath) };
            }
            catch (InvalidModelException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }
        byte[]? resized;
        try
        {
            resized = options.Inputs?.ResizedBytes(modelPath);
        }
        catch (InvalidModelException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        // Inputs re-declared at another batch size: the session runs the re-declared copy, named as the file in messages.
        return resized is null ? Create(modelPath, options, so => new InferenceSession(modelPath, so))
            : Create(modelPath, options, so => new InferenceSession(resized, so));
    }

    /// <summary>Opens a model held in memory; <paramref name="name"/> is used in messages.</summary>
    public static ScenarioSession Open(byte[] model, string name, ScenarioSessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new ScenarioSessionOptions();
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "batch size must be at least 1.");
        return Create(name, options, so => new InferenceSession(model, so));
    }

    private static ScenarioSession Create(string name, ScenarioSessionOptions options, Func<SessionOptions, InferenceSession> open)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = options.Optimization,
            // Model-zoo files trigger initializer-cleanup warnings on every load; they are noise in measurement output.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            if (options.SharedPool)
                Benchmarking.SharedThreadPool.Attach(sessionOptions);
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
        if (options.ProfilePrefix is not null)
        {
            sessionOptions.EnableProfiling = true;
            sessionOptions.ProfileOutputPathPrefix = options.ProfilePrefix;
        }
        InferenceSession session;
        try
        {
            session = open(sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            sessionOptions.Dispose();
            throw new InvalidDataException($"{name}: ONNX Runtime cannot load the model ({e.Message.Trim()}).", e);
        }
        try
        {
            return new ScenarioSession(name, sessionOptions, session, options.BatchSize, options.IntegerInputs, options.Inputs);
        }
        catch
        {
            session.Dispose();
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>Model file or name.</summary>
    public string Model { get; }

    /// <summary>Samples per query.</summary>
    public int BatchSize { get; }

    /// <summary>How a query of <see cref="BatchSize"/> samples is run.</summary>
    public BatchStrategy Strategy { get; private set; }

    /// <summary>Session runs per query (1 unless the batch dimension is fixed and smaller than the batch).</summary>
    public int RunsPerQuery { get; private set; }

    /// <summary>Runs one query (one or more session runs) and discards the outputs.</summary>
    public void RunQuery()
    {
        for (var i = 0; i < RunsPerQuery; i++) RunOnce();
    }

    /// <summary>Runs the session once.</summary>
    public void RunOnce()
    {
        using var outputs = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
    }

    /// <summary>Stops profiling and returns the trace file ONNX Runtime wrote (profiling sessions only).</summary>
    public string EndProfiling() => _session.EndProfiling();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var input in _inputs) input.Dispose();
        _inputs.Clear();
        _runOptions.Dispose();
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    private static OrtValue CreateInput(string model, string name, TensorElementType type, long[] shape, Random random, long[]? values, long limitBytes)
    {
        var count = Onnx.TensorSize.CheckedElementCount(shape, (int)type /* ORT's enum numbers ONNX's data types */, limitBytes,
            $"{model}: input '{name}'");
        T[] Integers<T>(Func<long, T> convert) =>
            values is null ? new T[count] : Enumerable.Range(0, count).Select(i => convert(values[i % values.Length])).ToArray();
        return type switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray(), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => random.NextDouble()).ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Integers(v => v), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Integers(v => (int)v), shape),
            TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory(Integers(v => (sbyte)v), shape),
            TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(Integers(v => (byte)v), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(Integers(v => v != 0), shape),
            _ => throw new InvalidDataException($"{model}: input '{name}' has element type {type}, which the scenarios cannot fill."),
        };
    }
}
