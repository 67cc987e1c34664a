using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DLBricks.Benchmarking;

/// <summary>One NVIDIA GPU as <c>nvidia-smi</c> reports it.</summary>
/// <param name="Name">Product name, e.g. <c>NVIDIA A100-SXM4-80GB</c>.</param>
/// <param name="MemoryMiB">Total device memory in MiB.</param>
/// <param name="DriverVersion">NVIDIA driver version, e.g. <c>550.54.15</c>.</param>
internal sealed record GpuDevice(string Name, long MemoryMiB, string DriverVersion);

/// <summary>
/// Finds the NVIDIA GPUs of this machine and the CUDA version their driver supports, for the system fingerprint. The parsing
/// is kept apart from running <c>nvidia-smi</c> so it can be checked on sample output on machines without a GPU.
/// </summary>
internal static class GpuDetector
{
    /// <summary>The arguments that make <c>nvidia-smi</c> print one <see cref="ParseQuery"/> line per GPU.</summary>
    public const string QueryArguments = "--query-gpu=name,memory.total,driver_version --format=csv,noheader";

    /// <summary>
    /// Parses the output of <c>nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader</c>: one line per
    /// GPU such as <c>NVIDIA GeForce RTX 4090, 24564 MiB, 550.54.15</c>. Lines that do not have that form are skipped.
    /// </summary>
    public static IReadOnlyList<GpuDevice> ParseQuery(string output)
    {
        var devices = new List<GpuDevice>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            // Memory and driver are the last two fields; taking them from the right keeps a comma inside a name harmless.
            var last = line.LastIndexOf(',');
            var middle = last > 0 ? line.LastIndexOf(',', last - 1) : -1;
            if (middle <= 0)
                continue;
            var name = line[..middle].Trim();
            var memory = line[(middle + 1)..last].Trim();
            var driver = line[(last + 1)..].Trim();
            var match = MemoryPattern.Match(memory);
            if (name.Length == 0 || driver.Length == 0 || !match.Success)
                continue;
            devices.Add(new GpuDevice(name, long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), driver));
        }
        return devices;
    }

    /// <summary>
    /// The CUDA version from <c>nvidia-smi</c>'s banner (<c>| NVIDIA-SMI 550.54.15  Driver Version: 550.54.15  CUDA Version: 12.4 |</c>),
    /// or null when the text has none.
    /// </summary>
    public static string? ParseCudaVersion(string nvidiaSmiBanner)
    {
        var match = CudaPattern.Match(nvidiaSmiBanner);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>
    /// One line naming every GPU with its memory, then the driver and CUDA versions, e.g.
    /// <c>NVIDIA A100-SXM4-80GB 81920 MiB; driver 550.54.15; CUDA 12.4</c>; null when there is no GPU. This text is part of
    /// the system key, so its form must not change.
    /// </summary>
    public static string? Describe(IReadOnlyList<GpuDevice> devices, string? cudaVersion)
    {
        if (devices.Count == 0)
            return null;
        var gpus = string.Join(" + ", devices.Select(d => $"{d.Name} {d.MemoryMiB} MiB"));
        var drivers = string.Join("/", devices.Select(d => d.DriverVersion).Distinct(StringComparer.Ordinal));
        return $"{gpus}; driver {drivers}; CUDA {cudaVersion ?? "unknown"}";
    }

    /// <summary>
    /// Describes this machine's NVIDIA GPUs (see <see cref="Describe"/>) by running <c>nvidia-smi</c>; null when it is missing,
    /// fails or lists no GPU.
    /// </summary>
    public static string? Detect()
    {
        var query = Run(QueryArguments);
        if (query is null)
            return null;
        var devices = ParseQuery(query);
        if (devices.Count == 0)
            return null;
        var cuda = Run("") is { } banner ? ParseCudaVersion(banner) : null;
        return Describe(devices, cuda);
    }

    private static string? Run(string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
                return null;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            // A wedged driver can hang nvidia-smi; the fingerprint must not hang with it.
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? output.Result : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }

    private static readonly Regex MemoryPattern = new(@"^(\d+)\s*MiB$", RegexOptions.CultureInvariant);

    private static readonly Regex CudaPattern = new(@"CUDA Version:\s*([0-9][0-9.]*)", RegexOptions.CultureInvariant);
}
