using System.Diagnostics;
using DLBricks.Export;
using DLBricks.Onnx;

namespace DLBricks.Benchmarks;

/// <summary>
/// The privacy audit's scan alone: the models are indexed once, then a split folder is scanned several times by fresh
/// auditors (each scans every file), one worker, so the scan's speed is measured apart from reading the models.
/// Usage: <c>audit-scan SPLIT_DIR RUNS MODEL.onnx...</c>.
/// </summary>
internal static class AuditScan
{
    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count < 3) { Console.Error.WriteLine("usage: audit-scan SPLIT_DIR RUNS MODEL.onnx [MODEL.onnx ...]"); return 2; }
        var folder = args[0];
        var runs = int.Parse(args[1]);
        var models = args.Skip(2).ToList();
        var watch = Stopwatch.StartNew();
        var index = new PrivacyAudit.PrivacyIndex(models.Count);
        Parallel.For(0, models.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => index.Add(i, OnnxModel.Load(models[i])));
        Console.WriteLine($"index: {models.Count} models in {watch.Elapsed.TotalSeconds:0.0} s");
        var bytes = PrivacyAudit.PublicFiles(folder).Sum(f => new FileInfo(Path.Combine(folder, f)).Length);
        for (var r = 0; r < runs; r++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            watch.Restart();
            var report = new PrivacyAudit.PrivacyAuditor(index).Audit(folder);
            var seconds = watch.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine($"scan {r + 1}: {bytes / 1e9:0.00} GB in {seconds:0.00} s wall, {cpuSeconds:0.00} s CPU ({seconds * 1e9 / bytes:0.00} ns/byte), {report.Findings.Count} findings");
        }
        return 0;
    }
}
