using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace DLBricks.Benchmarking;

// Portable half: compiled into the library and, as it is, into every emitted suite (docs/emit.md), so a suite run and a
// `dlbricks bench` run on one machine describe it alike and share a system key. It may use only the BCL and ONNX Runtime.
static partial class SystemFingerprintDetector
{
    /// <summary>The six fields that identify a machine, read the same way in the library and in an emitted suite.</summary>
    internal static (string CpuModel, int LogicalCores, long MemoryBytes, string OperatingSystem, string DotNetVersion, string OnnxRuntimeVersion) Machine()
        => (CpuModel(), Environment.ProcessorCount, MemoryBytes(), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            OrtEnv.Instance().GetVersionString());

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
