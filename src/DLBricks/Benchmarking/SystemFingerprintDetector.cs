using System.Runtime.InteropServices;
using DLBricks.Storage;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarking;

/// <summary>Describes the machine this process runs on as a <see cref="SystemFingerprint"/>.</summary>
internal static class SystemFingerprintDetector
{
    /// <summary>
    /// CPU model, logical cores, physical memory, OS, .NET and ONNX Runtime versions of this machine, and for a non-CPU
    /// <paramref name="executionProvider"/> its GPUs (<see cref="GpuDetector.Detect"/>).
    /// </summary>
    public static SystemFingerprint Detect(string executionProvider = "cpu") => new(
        CpuModel: CpuModel(),
        LogicalCores: Environment.ProcessorCount,
        MemoryBytes: MemoryBytes(),
        OperatingSystem: RuntimeInformation.OSDescription,
        DotNetVersion: RuntimeInformation.FrameworkDescription,
        OnnxRuntimeVersion: OrtEnv.Instance().GetVersionString())
    {
        Gpu = UsesGpu(executionProvider) ? GpuDetector.Detect() : null,
    };

    /// <summary>Whether results under <paramref name="executionProvider"/> depend on the GPU, so the fingerprint must name it.</summary>
    public static bool UsesGpu(string executionProvider) => !string.Equals(executionProvider, "cpu", StringComparison.OrdinalIgnoreCase);

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            // x86 kernels say "model name"; some ARM kernels only have "Hardware" or "CPU part".
            foreach (var key in new[] { "model name", "Hardware", "Processor", "CPU part" })
            {
                var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains(':'));
                if (line is not null)
                    return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static long MemoryBytes()
    {
        const string memInfo = "/proc/meminfo";
        if (File.Exists(memInfo))
        {
            var line = File.ReadLines(memInfo).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is { Length: >= 2 } && long.TryParse(parts[1], out var kib))
                return kib * 1024;
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
