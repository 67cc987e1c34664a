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
