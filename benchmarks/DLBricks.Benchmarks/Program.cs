using BenchmarkDotNet.Running;
using DLBricks.Benchmarks;

// Harness measurements that are not microbenchmarks run as plain modes; everything else goes to BenchmarkDotNet's switcher.
switch (args.FirstOrDefault())
{
    case "fixed-cost":
        HarnessMeasurements.FixedCost(args.Length > 1 ? int.Parse(args[1]) : 30);
        break;
    case "memory":
        HarnessMeasurements.MemoryFlatness(args.Length > 1 ? int.Parse(args[1]) : 1000);
        break;
    case "compare" when args.Length >= 3:
        HarnessMeasurements.Compare(args[1], args.Skip(2).Where(a => a != "--quick").ToList(), args.Contains("--quick"));
        break;
    case "split-memory":
        return SplitMemory.Run(
            args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToList() : [1_000, 10_000, 100_000],
            args.Length > 2 ? args[2].Split(',').Select(int.Parse).ToList() : [1, 3]);
    case "split-memory-child" when args.Length == 3:
        return SplitMemory.Child(args[1], int.Parse(args[2]));
    case "bdn-batch":
        return BdnBatchProbe.Run(int.Parse(args[1]));
    case "cost":
        return CostExperiment.Run(args.Skip(1).ToList());
    case "audit-scan":
        return AuditScan.Run(args.Skip(1).ToList());
    case "e2e-noise":
        return EndToEndNoise.Run(args.Skip(1).ToList());
    case "compare":
        Console.Error.WriteLine("usage: compare SPLIT_DIR MODEL.onnx [MODEL.onnx ...] [--quick]");
        return 2;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        break;
}
return 0;
