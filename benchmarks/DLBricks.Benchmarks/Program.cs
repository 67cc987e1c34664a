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
    case "compare":
        Console.Error.WriteLine("usage: compare SPLIT_DIR MODEL.onnx [MODEL.onnx ...] [--quick]");
        return 2;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        break;
}
return 0;
