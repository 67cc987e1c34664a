using DLBricks.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Graph;

/// <summary>
/// Produces the model ONNX Runtime actually executes: the runtime's graph optimizations at a level (constant folding,
/// Conv+BatchNorm+Relu, MatMul+Add, LayerNorm and attention fusions, and at <c>all</c> the NCHWc layout ops) applied and
/// the result saved. The saved model at <see cref="OptimizationLevel.All"/> is tied to this machine's CPU kind.
/// </summary>
public static class RuntimeOptimizer
{
    /// <summary>Maps our level to ONNX Runtime's.</summary>
    public static GraphOptimizationLevel ToOrt(OptimizationLevel level) => level switch
    {
        OptimizationLevel.Disabled => GraphOptimizationLevel.ORT_DISABLE_ALL,
        OptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        OptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>Returns the optimized model, loaded into memory under the original model's name and folder.</summary>
    /// <exception cref="InvalidModelException">ONNX Runtime cannot load or optimize the model.</exception>
    public static OnnxModel Optimize(OnnxModel model, OptimizationLevel level)
    {
        var folder = Directory.CreateTempSubdirectory("dlbricks-opt-").FullName;
        try
        {
            var output = Path.Combine(folder, model.Name + ".onnx");
            using (var options = new SessionOptions
                   {
                       GraphOptimizationLevel = ToOrt(level),
                       OptimizedModelFilePath = output,
                       LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
                       IntraOpNumThreads = 1,
                   })
            {
                if (model.HasExternalData)
                    options.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", model.Name + ".weights");
                try
                {
                    using var session = new InferenceSession(model.Path, options);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidModelException(
                        $"{model.Path}: ONNX Runtime cannot load the model to optimize it: {ShapeProbe.OneLine(e.Message)}{DiskHint(folder, model)}", e);
                }
            }
            var optimized = OnnxModel.Load(output);
            if (optimized.HasExternalData)
            {
                // Weights stay in the temporary folder; keep it for the process lifetime (the probe and export read it).
                AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
                return OnnxModel.FromProto(optimized.Proto, output);
            }
            TryDelete(folder);
            return OnnxModel.FromProto(optimized.Proto, model.Path);
        }
        catch
        {
            TryDelete(folder);
            throw;
        }
    }

    /// <summary>
    /// ONNX Runtime reports a full disk while writing the optimized model as "Protobuf serialization failed", which sends
    /// users hunting for a corrupt model; name the real cause when the temporary folder cannot hold another copy.
    /// </summary>
    private static string DiskHint(string folder, OnnxModel model)
    {
        try
        {
            return DiskHint(new DriveInfo(folder).AvailableFreeSpace, new FileInfo(model.Path).Length, Path.GetDirectoryName(folder) ?? folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return "";
        }
    }

    /// <summary>The hint for <paramref name="freeBytes"/> left where a copy of a <paramref name="modelBytes"/> model is written; empty when it fits.</summary>
    internal static string DiskHint(long freeBytes, long modelBytes, string folder) =>
        freeBytes < modelBytes + (64L << 20)
            ? $" (only {freeBytes >> 20} MiB free in {folder}, where the optimized copy of this {modelBytes >> 20} MiB model is written: free disk space or set TMPDIR)"
            : "";

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
