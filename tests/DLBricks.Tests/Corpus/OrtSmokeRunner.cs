using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DLBricks.Tests.Corpus;

/// <summary>Result of one synthetic-input run: output names, element counts and how many floats were not finite.</summary>
internal sealed record OrtRunResult(IReadOnlyList<string> Outputs, IReadOnlyList<long> ElementCounts, long NonFinite);

/// <summary>Creates an ORT session for a model and runs it once on seeded synthetic inputs.</summary>
internal static class OrtSmokeRunner
{
    public static OrtRunResult Run(
        byte[] model,
        IReadOnlyDictionary<string, long>? dims = null,
        IReadOnlyDictionary<string, (long Min, long Max)>? ranges = null)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var random = new Random(7);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, meta) in session.InputMetadata)
            {
                var shape = new long[meta.Dimensions.Length];
                for (int i = 0; i < shape.Length; i++)
                {
                    if (meta.Dimensions[i] >= 0) { shape[i] = meta.Dimensions[i]; continue; }
                    string symbol = meta.SymbolicDimensions[i];
                    shape[i] = dims is not null && dims.TryGetValue(symbol, out var v) ? v
                        : symbol == "batch" ? 1 : symbol == "seq" ? 16
                        : throw new InvalidOperationException($"input {name}: no value for symbolic dim '{symbol}'");
                }
                long count = shape.Aggregate(1L, (a, d) => a * d);
                names.Add(name);
                if (meta.ElementDataType == TensorElementType.Int64)
                {
                    var (min, max) = ranges is not null && ranges.TryGetValue(name, out var r) ? r : (0L, 9L);
                    var data = new long[count];
                    for (long i = 0; i < count; i++) data[i] = random.NextInt64(min, max + 1);
                    values.Add(OrtValue.CreateTensorValueFromMemory(data, shape));
                }
                else if (meta.ElementDataType == TensorElementType.Float)
                {
                    var data = new float[count];
                    for (long i = 0; i < count; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
                    values.Add(OrtValue.CreateTensorValueFromMemory(data, shape));
                }
                else throw new NotSupportedException($"input {name}: element type {meta.ElementDataType}");
            }

            using var runOptions = new RunOptions();
            var outputNames = session.OutputNames.ToList();
            using var outputs = session.Run(runOptions, names, values, outputNames);
            var counts = new List<long>();
            long nonFinite = 0;
            foreach (var output in outputs)
            {
                var info = output.GetTensorTypeAndShape();
                counts.Add(info.ElementCount);
                if (info.ElementDataType == TensorElementType.Float)
                    foreach (var f in output.GetTensorDataAsSpan<float>())
                        if (!float.IsFinite(f)) nonFinite++;
            }
            return new OrtRunResult(outputNames, counts, nonFinite);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
