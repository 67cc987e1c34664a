using System.CommandLine;
using DLBricks.Emit;

namespace DLBricks.Cli.Commands;

/// <summary><c>dlbricks emit DIR -o SUITE</c>: writes a standalone BenchmarkDotNet project for a brick set.</summary>
internal static class EmitCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("DIR") { Description = "Split output folder holding catalog.json and bricks/ (or the catalog.json itself)." };
        var output = new Option<string>("-o", "--output") { Description = "Folder for the generated BenchmarkDotNet project.", Required = true };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads the suite's sessions use (0 = ONNX Runtime default)." };
        var interThreads = new Option<int>("--inter-threads") { Description = "Inter-op threads (0 = ONNX Runtime default)." };
        // --mode and --level are the old spellings, kept hidden; they meant other things in estimate and split.
        var mode = new RenamedOption<string>(new Option<string>("--executor") { Description = "ONNX Runtime execution mode: sequential or parallel.", DefaultValueFactory = _ => CliVocabulary.ExecutorName(BricksOptions.Default.Executor) }, "--mode");
        var level = new RenamedOption<string>(new Option<string>("--session-level") { Description = "Graph optimization level of the suite's sessions: disabled, basic, extended or all.", DefaultValueFactory = _ => CliVocabulary.LevelName(BricksOptions.Default.SessionLevel) }, "--level");
        var force = new Option<bool>("--force") { Description = "Replace a suite emitted earlier into the same folder (its BenchmarkDotNet.Artifacts are kept)." };
        var command = new Command("emit", "Generate a standalone BenchmarkDotNet suite that benchmarks every brick of a brick set.")
        {
            folder, output, threads, interThreads, force,
        };
        mode.AddTo(command);
        level.AddTo(command);
        command.SetAction(result => CliErrors.Run(() =>
        {
            var options = new SuiteOptions
            {
                IntraOpThreads = result.GetValue(threads),
                InterOpThreads = result.GetValue(interThreads),
                ExecutionMode = mode.GetValue(result),
                OptimizationLevel = level.GetValue(result),
                Overwrite = result.GetValue(force),
            };
            try
            {
                var suite = BenchmarkSuiteEmitter.Emit(result.GetValue(folder)!, result.GetValue(output)!, options);
                Console.WriteLine($"wrote a BenchmarkDotNet suite of {suite.BrickCount} bricks ({suite.BrickBytes / 1048576.0:F1} MiB) to {suite.Directory}");
                Console.WriteLine($"run it with: cd {suite.Directory} && dotnet run -c Release   (see README.md there for faster jobs)");
                return ExitCodes.Success;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        }));
        return command;
    }
}
