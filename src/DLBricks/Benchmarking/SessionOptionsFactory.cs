using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarking;

/// <summary>Turns a <see cref="RunConfiguration"/> into ONNX Runtime session options, and validates its option values.</summary>
internal static partial class SessionOptionsFactory
{
    /// <summary>
    /// Creates session options for <paramref name="configuration"/>. The caller owns (and must dispose) the result.
    /// </summary>
    /// <exception cref="ExecutionProviderUnavailableException">The configuration asks for CUDA and the loaded ONNX Runtime has no CUDA support.</exception>
    /// <exception cref="ArgumentException">An option value is not recognised.</exception>
    /// <exception cref="InvalidOperationException">The configuration runs on a shared thread pool this process does not have.</exception>
    public static SessionOptions Create(RunConfiguration configuration)
    {
        var options = CreateForCpu(configuration.OptimizationLevel, configuration.ExecutionMode, configuration.IntraOpThreads, configuration.InterOpThreads);
        try
        {
            // Measured on the process's shared pool (its provenance says so): the session uses it instead of its own.
            if (SharedThreadPool.UsedBy(configuration))
                SharedThreadPool.Attach(options, SharedThreadPool.Needed(configuration));
            switch (configuration.ExecutionProvider)
            {
                case "cpu":
                    break;
                case "cuda":
                    AppendCuda(options, configuration.DeviceId ?? 0);
                    break;
                default:
                    throw new ArgumentException($"unknown execution provider '{configuration.ExecutionProvider}' (use cpu or cuda[:ID]).", nameof(configuration));
            }
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>Throws <see cref="ExecutionProviderUnavailableException"/> unless the configuration's provider can be used here.</summary>
    public static void EnsureAvailable(RunConfiguration configuration)
    {
        using var options = Create(configuration);
    }

    private static void AppendCuda(SessionOptions options, int deviceId)
    {
        try
        {
            Graph.RuntimeOptimizer.WithoutNativeLog(() => options.AppendExecutionProvider_CUDA(deviceId));
        }
        // A CPU-only native library either lacks the CUDA entry point altogether or reports that the provider was not built in.
        catch (EntryPointNotFoundException e)
        {
            throw CudaMissing(e);
        }
        catch (OnnxRuntimeException e) when (e.Message.Contains("not enabled in this build", StringComparison.OrdinalIgnoreCase))
        {
            throw CudaMissing(e);
        }
        catch (OnnxRuntimeException e) when (e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase))
        {
            // A GPU build whose CUDA libraries are missing or broken: pass ORT's reason on, on one line.
            var reason = e.Message.ReplaceLineEndings(" ").Trim();
            throw new ExecutionProviderUnavailableException("cuda",
                $"CUDA execution provider could not be loaded: {reason}; check the NVIDIA driver, the CUDA runtime, cuBLAS and cuDNN libraries this ONNX Runtime needs (docs/gpu.md).", e);
        }
    }

    private static ExecutionProviderUnavailableException CudaMissing(Exception inner) => new("cuda",
        $"CUDA execution provider is not available in the loaded ONNX Runtime {OrtEnv.Instance().GetVersionString()} (CPU-only build); " +
        "reference the Microsoft.ML.OnnxRuntime.Gpu package instead of Microsoft.ML.OnnxRuntime and install CUDA/cuDNN.", inner);
}
