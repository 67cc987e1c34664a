using DLBricks.Onnx.Protos;
using Google.Protobuf;

namespace DLBricks.Benchmarking;

/// <summary>
/// Measures a system's <see cref="ConcurrencyProfile"/> under a configuration that runs bricks concurrently (the CPU provider's
/// parallel executor): a calibration model of one branch, then of k identical independent branches, each timed end to end by
/// the same engine and under the same configuration as the bricks. The results are stored like brick results, under reserved
/// keys (<see cref="KeyOf"/>), so they travel with the store and an estimate made elsewhere finds them.
/// </summary>
internal static class ConcurrencyCalibration
{
    /// <summary>
    /// Prefix of the reserved result keys. Never a brick hash (those are 64 hex digits); the version changes with the
    /// calibration model, so a store never mixes two models' points.
    /// </summary>
    public const string KeyPrefix = "calibration:concurrency:v1:";

    // A branch is a chain of 3×3 convolutions on a 28×28 map: the size of an Inception branch's layers (0.1–0.5 ms each on one
    // core), compute-bound like the layers that dominate branchy CNNs, and long enough that the executor's per-node dispatch is
    // part of the measurement as it is in a model.
    private const int Channels = 32;
    private const int Size = 28;
    private const int ConvsPerBranch = 4;

    /// <summary>The result key of the k-branch calibration model.</summary>
    public static string KeyOf(int concurrency) => KeyPrefix + concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True for a key of this calibration (a result that is not a brick's).</summary>
    public static bool IsCalibrationKey(string key) => key.StartsWith(KeyPrefix, StringComparison.Ordinal);

    /// <summary>
    /// How many bricks <paramref name="configuration"/> runs at once: its inter-op threads with the CPU provider's parallel
    /// executor (0 = ONNX Runtime's default, one per logical core), else 1 (the sequential executor, and providers whose
    /// kernels are queued on one device stream).
    /// </summary>
    public static int Workers(RunConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.ExecutionProvider != "cpu" || configuration.ExecutionMode != "parallel") return 1;
        return configuration.InterOpThreads > 0 ? configuration.InterOpThreads : Environment.ProcessorCount;
    }

    /// <summary>The concurrencies measured for <paramref name="workers"/> workers: 1, 2, 4, … and <paramref name="workers"/> itself.</summary>
    public static IReadOnlyList<int> Points(int workers)
    {
        var points = new List<int>();
        for (var k = 1; k < workers; k *= 2) points.Add(k);
        points.Add(Math.Max(1, workers));
        return points;
    }

    /// <summary>Serialized ONNX bytes of the calibration model with <paramref name="branches"/> independent branches (opset 13).</summary>
    public static byte[] Model(int branches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(branches, 1);
        var model = new ModelProto { IrVersion = 7, ProducerName = "dlbricks-calibration", Graph = new GraphProto { Name = "concurrency" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        model.Graph.Input.Add(FloatTensor("x", 1, Channels, Size, Size));
        var random = new Random(20261205);
        for (var b = 0; b < branches; b++)
        {
            var previous = "x";
            for (var c = 0; c < ConvsPerBranch; c++)
            {
                var weight = $"w{b}_{c}";
                var tensor = new TensorProto { Name = weight, DataType = (int)TensorProto.Types.DataType.Float };
                tensor.Dims.AddRange([Channels, Channels, 3, 3]);
                var values = new float[Channels * Channels * 9];
                // Small weights keep activations finite through the chain (no denormal or overflow slow paths).
                for (var i = 0; i < values.Length; i++) values[i] = (float)((random.NextDouble() - 0.5) * 0.1);
                tensor.FloatData.AddRange(values);
                model.Graph.Initializer.Add(tensor);
                var output = c == ConvsPerBranch - 1 ? $"y{b}" : $"h{b}_{c}";
                var node = new NodeProto { OpType = "Conv", Name = $"conv{b}_{c}" };
                node.Input.Add(previous);
                node.Input.Add(weight);
                node.Output.Add(output);
                node.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 3, 3 } });
                node.Attribute.Add(new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } });
                model.Graph.Node.Add(node);
                previous = output;
            }
            model.Graph.Output.Add(FloatTensor($"y{b}", 1, Channels, Size, Size));
        }
        return model.ToByteArray();
    }

    /// <summary>
    /// The speedups from per-concurrency latencies: S(k) = k × t(1) / t(k), with the configuration's worker count. Null when
    /// the one-branch time is missing or not positive.
    /// </summary>
    public static ConcurrencyProfile? FromLatencies(int workers, IReadOnlyDictionary<int, double> latencyByConcurrency)
    {
        ArgumentNullException.ThrowIfNull(latencyByConcurrency);
        if (!latencyByConcurrency.TryGetValue(1, out var one) || !(one > 0)) return null;
        var points = latencyByConcurrency
            .Where(p => p.Key >= 1 && p.Value > 0)
            .OrderBy(p => p.Key)
            .Select(p => new ConcurrencyPoint(p.Key, p.Key * one / p.Value))
            .ToList();
        return new ConcurrencyProfile(workers, points);
    }

    /// <summary>
    /// Measures the profile of <paramref name="configuration"/> with <paramref name="engine"/>; null when the configuration
    /// runs one brick at a time. <paramref name="save"/> receives each point's statistics under its key, for the store.
    /// </summary>
    public static ConcurrencyProfile? Measure(ILatencyEngine engine, RunConfiguration configuration, LatencyStatistic statistic,
        Action<string, LatencyStatistics>? save = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var workers = Workers(configuration);
        if (workers <= 1) return null;
        var latencies = new Dictionary<int, double>();
        foreach (var k in Points(workers))
        {
            using var runner = OnnxModelRunner.Open(Model(k), configuration);
            var statistics = engine.Measure($"calibration-concurrency-{k}", runner).Statistics;
            save?.Invoke(KeyOf(k), statistics);
            latencies[k] = statistics.Get(statistic);
        }
        return FromLatencies(workers, latencies);
    }

    /// <summary>
    /// The profile stored for <paramref name="configuration"/> in <paramref name="results"/> (a store's results of one system and
    /// configuration); null when the configuration runs one brick at a time or a point is missing.
    /// </summary>
    public static ConcurrencyProfile? FromResults(RunConfiguration configuration, IReadOnlyDictionary<string, BrickResult> results,
        LatencyStatistic statistic)
    {
        ArgumentNullException.ThrowIfNull(results);
        var workers = Workers(configuration);
        if (workers <= 1) return null;
        var latencies = new Dictionary<int, double>();
        foreach (var k in Points(workers))
        {
            if (!results.TryGetValue(KeyOf(k), out var result) || result.Statistics is not { } statistics) return null;
            latencies[k] = statistics.Get(statistic);
        }
        return FromLatencies(workers, latencies);
    }

    private static ValueInfoProto FloatTensor(string name, params long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (var dim in shape)
            tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
