using System.CommandLine;
using DLBricks.Graph;

namespace DLBricks.Cli.Commands;

/// <summary>The <c>--shape</c>, <c>--dim</c> and <c>--value</c> options shared by every verb that reads models.</summary>
internal sealed class ModelInputOptions
{
    public Option<string[]> Shape { get; } = new("--shape")
    {
        Description = "Input shape, NAME=D0,D1,... (prefix MODEL: to target one model). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Dim { get; } = new("--dim")
    {
        Description = "Value of a symbolic dim, SYMBOL=N (prefix MODEL: to target one model). Repeatable.",
    };

    public Option<string[]> Value { get; } = new("--value")
    {
        Description = "Input values that matter (lengths, sample rates), NAME=V[,V...] (prefix MODEL: to target one model). Repeatable.",
    };

    public Option<string?> MemoryLimit { get; } = new("--memory-limit")
    {
        Description = "Most memory a model's inputs may take together, e.g. 4GiB (default), 512MiB; larger shapes are refused before allocation.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Shape);
        command.Options.Add(Dim);
        command.Options.Add(Value);
        command.Options.Add(MemoryLimit);
    }

    public Func<string, ModelInputBindings> Bindings(ParseResult result)
    {
        var shapes = result.GetValue(Shape) ?? [];
        var dims = result.GetValue(Dim) ?? [];
        var values = result.GetValue(Value) ?? [];
        var limit = result.GetValue(MemoryLimit) is { } text
            ? DLBricks.Onnx.TensorSize.ParseSize(text, "--memory-limit")
            : ModelInputBindings.DefaultMemoryLimitBytes;
        return model => ModelInputBindings.Parse(model, shapes, dims, values, limit);
    }
}

/// <summary>The <c>--source</c> and <c>--level</c> options choosing the layer source.</summary>
internal sealed class LayerSourceCliOptions
{
    public Option<string> Source { get; } = new("--source")
    {
        Description = "Graph to split: optimized (default: what ONNX Runtime executes after its graph optimizations) or raw (the model as written).",
        DefaultValueFactory = _ => "optimized",
    };

    public Option<string> Level { get; } = new("--level")
    {
        Description = "Optimization level of the optimized source: basic, extended or all (default; tied to this CPU kind).",
        DefaultValueFactory = _ => "all",
    };

    public LayerSourceCliOptions()
    {
        Source.AcceptOnlyFromAmong("raw", "optimized");
        Level.AcceptOnlyFromAmong("basic", "extended", "all");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Source);
        command.Options.Add(Level);
    }

    public LayerSourceOptions Read(ParseResult result) =>
        result.GetValue(Source) == "optimized"
            ? new LayerSourceOptions(LayerSourceKind.Optimized, LayerSourceOptions.ParseLevel(result.GetValue(Level)!))
            : LayerSourceOptions.Raw;
}

/// <summary>The <c>--cache</c>, <c>--no-cache</c> and (for verbs splitting many models) <c>--jobs</c> options: what a split may reuse and run at once.</summary>
internal sealed class SplitCostCliOptions
{
    public Option<string?> Cache { get; } = new("--cache")
    {
        Description = $"Folder keeping each model's optimized graph and shape probe, keyed by the model's bytes, source, inputs and tool version (default: {GraphCache.DefaultFolder}).",
    };

    public Option<bool> NoCache { get; } = new("--no-cache") { Description = "Optimize and probe every model afresh; read and write no cache." };

    public Option<int> Jobs { get; } = new("--jobs", "-j")
    {
        Description = $"Models split at once (default {SplitOptions.DefaultJobs}: one per core, at most one per 3 GiB of memory). The output is the same for any value.",
        DefaultValueFactory = _ => SplitOptions.DefaultJobs,
    };

    public void AddTo(Command command, bool jobs)
    {
        command.Options.Add(Cache);
        command.Options.Add(NoCache);
        if (jobs) command.Options.Add(Jobs);
    }

    /// <summary>The cache to use, or null with <c>--no-cache</c>.</summary>
    /// <exception cref="InvalidModelException"><c>--cache</c> and <c>--no-cache</c> together.</exception>
    public GraphCache? ReadCache(ParseResult result)
    {
        var folder = result.GetValue(Cache);
        if (result.GetValue(NoCache))
            return folder is null ? null : throw new InvalidModelException("--cache and --no-cache contradict each other; give one.");
        return new GraphCache(folder ?? GraphCache.DefaultFolder);
    }

    /// <exception cref="InvalidModelException">Fewer than one job.</exception>
    public int ReadJobs(ParseResult result)
    {
        var jobs = result.GetValue(Jobs);
        return jobs >= 1 ? jobs : throw new InvalidModelException($"--jobs {jobs}: give at least 1.");
    }
}
