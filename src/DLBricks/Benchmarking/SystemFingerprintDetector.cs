using DLBricks.Storage;

namespace DLBricks.Benchmarking;

/// <summary>Describes the machine this process runs on as a <see cref="SystemFingerprint"/>.</summary>
public static partial class SystemFingerprintDetector
{
    /// <summary>
    /// CPU model, logical cores, physical memory, OS, .NET and ONNX Runtime versions of this machine, and for a non-CPU
    /// <paramref name="executionProvider"/> its GPUs (<see cref="GpuDetector.Detect"/>).
    /// </summary>
    public static SystemFingerprint Detect(string executionProvider = "cpu")
    {
        var machine = Machine();
        return new(machine.CpuModel, machine.LogicalCores, machine.MemoryBytes, machine.OperatingSystem, machine.DotNetVersion, machine.OnnxRuntimeVersion)
        {
            Gpu = UsesGpu(executionProvider) ? GpuDetector.Detect() : null,
        };
    }

    /// <summary>Whether results under <paramref name="executionProvider"/> depend on the GPU, so the fingerprint must name it.</summary>
    public static bool UsesGpu(string executionProvider) => !string.Equals(executionProvider, "cpu", StringComparison.OrdinalIgnoreCase);
}
