using System.Diagnostics;
using System.Globalization;
using DLBricks.Graph;
using DLBricks.Onnx;
using DLBricks.Splitting;

namespace DLBricks.Benchmarks;

/// <summary>
/// Peak memory of splitting one model, each size in a fresh process so peaks do not carry over: phase times, bytes
/// allocated, the largest managed heap seen, and the process's peak resident set (VmHWM).
/// </summary>
internal static class SplitMemory
{
    /// <summary>Measures each size in a child process and prints one table row per (size, G).</summary>
    public static int Run(IReadOnlyList<int> sizes, IReadOnlyList<int> granularities)
    {
        Console.WriteLine("| layers | G | load ms | build ms | split ms | total ms | CPU ms | GC pause ms (gen2 GCs) | allocated MiB | peak managed MiB | peak RSS MiB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var path = ChainModels.Ensure(size); // generated here, outside the measured process
            foreach (var g in granularities)
            {
                var (exit, output) = RunChild(path, g);
                if (exit != 0)
                {
                    Console.Error.WriteLine($"chain_{size} G={g}: child failed (exit {exit}): {output}");
                    return 1;
                }
                Console.WriteLine($"| {size:N0} | {g} | {output.Trim()} |");
            }
        }
        return 0;
    }

    /// <summary>The child side: split <paramref name="path"/> at G and print the measured columns.</summary>
    public static int Child(string path, int granularity)
    {
        var peakManaged = 0L;
        using var stop = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        sampler.Start();

        var allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var pausedBefore = GC.GetTotalPauseDuration();
        var gen2Before = GC.CollectionCount(2);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var model = OnnxModel.Load(path);
        var load = clock.Elapsed.TotalMilliseconds;
        var graph = LayerGraphBuilder.BuildFromDeclaredShapes(model);
        var build = clock.Elapsed.TotalMilliseconds - load;
        var split = ModelSplitter.Split(graph, granularity);
        var total = clock.Elapsed.TotalMilliseconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        var paused = (GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds;
        var gen2 = GC.CollectionCount(2) - gen2Before;
        peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
        stop.Cancel();
        sampler.Join();
        GC.KeepAlive(split);

        const double mib = 1024 * 1024;
        var peakRss = PeakResidentBytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{load:F0} | {build:F0} | {total - load - build:F0} | {total:F0} | {cpu:F0} | {paused:F0} ({gen2}) | {allocated / mib:F0} | {peakManaged / mib:F0} | {peakRss / mib:F0}"));
        return 0;
    }

    private static long PeakResidentBytes()
    {
        // VmHWM is the kernel's high-water mark of the resident set; Process.PeakWorkingSet64 reads the same field on Linux.
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static (int Exit, string Output) RunChild(string path, int granularity)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        start.FileName = host;
        // Under `dotnet DLBricks.Benchmarks.dll` the host is dotnet itself and needs the assembly first.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(typeof(SplitMemory).Assembly.Location);
        start.ArgumentList.Add("split-memory-child");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(granularity.ToString(CultureInfo.InvariantCulture));
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return (child.ExitCode, child.ExitCode == 0 ? stdout : stdout + stderr.Result);
    }
}
