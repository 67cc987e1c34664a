using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarking;

// Portable half: compiled into the library and, as it is, into every emitted suite (docs/emit.md), so a suite configures its
// sessions exactly as `dlbricks bench` does. It may use only the BCL and ONNX Runtime.
static partial class SessionOptionsFactory
{
    /// <summary>Optimization level names accepted in a <c>RunConfiguration</c>.</summary>
    public static IReadOnlyList<string> OptimizationLevels { get; } = ["disabled", "basic", "extended", "all"];

    /// <summary>Execution mode names accepted in a <c>RunConfiguration</c>.</summary>
    public static IReadOnlyList<string> ExecutionModes { get; } = ["sequential", "parallel"];

    /// <summary>
    /// Session options for the CPU provider with the given optimization level, execution mode and thread counts (0 = ONNX
    /// Runtime's default). The caller owns (and must dispose) the result.
    /// </summary>
    /// <exception cref="ArgumentException">A name or thread count is not recognised.</exception>
    internal static SessionOptions CreateForCpu(string optimizationLevel, string executionMode, int intraOpThreads, int interOpThreads)
    {
        var options = new SessionOptions();
        try
        {
            // ORT's warnings (e.g. unused initializers in old model-zoo files) would break the progress display.
            options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            options.GraphOptimizationLevel = optimizationLevel switch
            {
                "disabled" => GraphOptimizationLevel.ORT_DISABLE_ALL,
                "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                "all" => GraphOptimizationLevel.ORT_ENABLE_ALL,
                var other => throw new ArgumentException($"unknown optimization level '{other}' (use {string.Join(", ", OptimizationLevels)}).", nameof(optimizationLevel)),
            };
            options.ExecutionMode = executionMode switch
            {
                "sequential" => ExecutionMode.ORT_SEQUENTIAL,
                "parallel" => ExecutionMode.ORT_PARALLEL,
                var other => throw new ArgumentException($"unknown execution mode '{other}' (use sequential or parallel).", nameof(executionMode)),
            };
            if (intraOpThreads < 0 || interOpThreads < 0)
                throw new ArgumentException("thread counts must be 0 (ONNX Runtime default) or positive.", nameof(intraOpThreads));
            options.IntraOpNumThreads = intraOpThreads;
            options.InterOpNumThreads = interOpThreads;
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }
}
