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

/// <summary>
/// The <c>--source</c> and <c>--source-level</c> options choosing the layer source, for every verb that splits. The old
/// <c>--level</c> is kept as a hidden spelling of <c>--source-level</c> (in <c>bench</c> and <c>emit</c> it meant the session level).
/// </summary>
internal sealed class LayerSourceCliOptions
{
    public Option<string> Source { get; } = new("--source")
    {
        Description = "Graph to split: optimized (default: what ONNX Runtime executes after its graph optimizations) or raw (the model as written).",
        DefaultValueFactory = _ => BricksOptions.Default.Source == LayerSourceKind.Raw ? "raw" : "optimized",
    };

    private readonly RenamedOption<string> _level = new(new Option<string>("--source-level")
    {
        Description = "Optimization level of the optimized source: basic, extended or all (default; tied to this CPU kind).",
        DefaultValueFactory = _ => CliVocabulary.LevelName(BricksOptions.Default.SourceLevel),
    }, "--level", CliVocabulary.SourceLevels);

    public LayerSourceCliOptions()
    {
        Source.AcceptOnlyFromAmong("raw", "optimized");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Source);
        _level.AddTo(command);
    }

    /// <summary><paramref name="options"/> splitting the layer source given on the command line.</summary>
    public BricksOptions Apply(ParseResult result, BricksOptions options) =>
        result.GetValue(Source) == "optimized"
            ? options.WithLayerSource(LayerSourceKind.Optimized, CliVocabulary.ParseLevel(_level.GetValue(result)))
            : options.WithLayerSource(LayerSourceKind.Raw);

    public LayerSourceOptions Read(ParseResult result) => Apply(result, BricksOptions.Default).LayerSource with { Provider = "cpu" };
}
