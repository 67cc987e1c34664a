using System.CommandLine;
using System.Globalization;
using DLBricks.Benchmarking;
using DLBricks.Storage;

namespace DLBricks.Cli.Commands;

/// <summary>
/// How models and bricks are run (execution provider, threads, session optimization level, job and clock) for the verbs that
/// measure on the side: <c>validate</c> and <c>estimate --bench-missing</c>. Defaults equal <c>bench</c>'s, so all three
/// store and find results under the same configuration.
/// </summary>
internal sealed class SessionCliOptions
{
    public Option<string> Ep { get; } = new("--ep") { Description = "Execution provider: cpu or cuda[:DEVICE].", DefaultValueFactory = _ => "cpu" };
    public Option<int> Threads { get; } = new("--threads") { Description = "Intra-op threads (0 = ONNX Runtime default).", DefaultValueFactory = _ => 1 };
    public Option<int> InterThreads { get; } = new("--inter-threads") { Description = "Inter-op threads (0 = ONNX Runtime default)." };
    public Option<string> SessionLevel { get; } = new("--session-level") { Description = "ONNX Runtime graph optimization level of the sessions: disabled, basic, extended or all.", DefaultValueFactory = _ => "all" };
    public Option<bool> Quick { get; } = new("--quick") { Description = "Short smoke-test job (1 warmup, 5 iterations) instead of the default 100 iterations." };
    public Option<bool> Lean { get; } = new("--lean") { Description = BenchCommand.LeanDescription };
    public Option<string> Clock { get; } = new("--clock") { Description = "Iteration clock: auto, wall or cpu (thread CPU time; needs --threads 1).", DefaultValueFactory = _ => "auto" };

    public SessionCliOptions()
    {
        SessionLevel.AcceptOnlyFromAmong("disabled", "basic", "extended", "all");
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Ep, Threads, InterThreads, SessionLevel, Quick, Lean, Clock })
            command.Options.Add(option);
    }

    /// <exception cref="InvalidModelException">An option value is malformed.</exception>
    public (RunConfiguration Configuration, BenchmarkJob Job) Read(ParseResult result)
    {
        var (provider, device) = ParseProvider(result.GetValue(Ep)!);
        if (result.GetValue(Quick) && result.GetValue(Lean))
            throw new InvalidModelException("--quick and --lean are two different jobs: choose one.");
        var job = result.GetValue(Quick) ? BenchmarkJob.Quick : result.GetValue(Lean) ? BenchmarkJob.Lean : BenchmarkJob.Default;
        if (!MeasurementClocks.TryResolve(result.GetValue(Clock)!, result.GetValue(Threads), "sequential", provider, out var clock, out var error))
            throw new InvalidModelException(error!);
        job = job.WithClock(clock);
        var configuration = job.Configuration(provider, device, result.GetValue(Threads), result.GetValue(InterThreads), "sequential",
            result.GetValue(SessionLevel)!);
        return (configuration, job);
    }

    private static (string Provider, int? Device) ParseProvider(string text)
    {
        var value = text.ToLowerInvariant();
        if (value == "cpu") return ("cpu", null);
        if (value == "cuda") return ("cuda", 0);
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return ("cuda", id);
        throw new InvalidModelException($"--ep {text}: expected cpu or cuda[:DEVICE].");
    }
}
