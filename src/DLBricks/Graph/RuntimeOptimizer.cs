using DLBricks.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Graph;

/// <summary>
/// Produces the model ONNX Runtime actually executes: the runtime's graph optimizations at a level (constant folding,
/// Conv+BatchNorm+Relu, MatMul+Add, LayerNorm and attention fusions, and at <c>all</c> the NCHWc layout ops) applied and
/// the result saved. The saved model at <see cref="OptimizationLevel.All"/> is tied to this machine's CPU kind. ONNX Runtime
/// optimizes for the execution providers of the session, so the graph is optimized for the provider it will run on: with
/// the CPU provider alone, a CUDA run of the result would execute CPU layout operators (NCHWc reorders) on the CPU.
/// </summary>
internal static class RuntimeOptimizer
{
    /// <summary>Maps our level to ONNX Runtime's.</summary>
    public static GraphOptimizationLevel ToOrt(OptimizationLevel level) => level switch
    {
        OptimizationLevel.Disabled => GraphOptimizationLevel.ORT_DISABLE_ALL,
        OptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        OptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>
    /// Returns the model optimized for <paramref name="provider"/> (<c>cpu</c> or <c>cuda</c>), loaded into memory under the
    /// original model's name and folder.
    /// </summary>
    /// <exception cref="InvalidModelException">ONNX Runtime cannot load or optimize the model, or the provider is not available here.</exception>
    public static OnnxModel Optimize(OnnxModel model, OptimizationLevel level, string provider = "cpu")
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
                AppendProvider(options, provider, model.Path);
                try
                {
                    using var session = model.DiffersFromFile
                        ? new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(model.Proto), options)
                        : new InferenceSession(model.Path, options);
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

    /// <summary>Adds the execution provider the optimized graph is made for; the CPU provider is always there.</summary>
    /// <exception cref="InvalidModelException">The provider is unknown or missing from the loaded ONNX Runtime.</exception>
    internal static void AppendProvider(SessionOptions options, string provider, string modelPath)
    {
        switch (provider)
        {
            case "cpu":
                return;
            case "cuda":
                try
                {
                    // Device 0: graph transformations depend on the provider, not on which of its devices runs the model.
                    WithoutNativeLog(() => options.AppendExecutionProvider_CUDA(0));
                }
                catch (Exception e) when (e is EntryPointNotFoundException or OnnxRuntimeException)
                {
                    throw new InvalidModelException(CudaUnavailable(modelPath, ShapeProbe.OneLine(e.Message)), e);
                }
                return;
            default:
                throw new InvalidModelException($"{modelPath}: unknown execution provider '{provider}' to optimize for; use cpu or cuda.");
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> with ONNX Runtime's own log silenced: a GPU build that cannot load its CUDA libraries logs
    /// the failure to the console before throwing it, and the caller turns the exception into the one line the user sees.
    /// </summary>
    internal static void WithoutNativeLog(Action action)
    {
        var env = OrtEnv.Instance();
        var level = env.EnvLogLevel;
        env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        try
        {
            action();
        }
        finally
        {
            env.EnvLogLevel = level;
        }
    }

    /// <summary>The one-line refusal when the graph cannot be optimized for CUDA on this machine.</summary>
    internal static string CudaUnavailable(string modelPath, string reason) =>
        $"{modelPath}: cannot optimize the model for the CUDA provider here ({reason}); split on a machine with an NVIDIA GPU " +
        "using the GPU build (dotnet build -p:DLBricksGpu=true, see docs/gpu.md), or split with --ep cpu.";

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
