using DLBricks.Benchmarking;
using DLBricks.Estimation;
using DLBricks.Graph;
using DLBricks.Onnx.Protos;
using DLBricks.Reporting;
using DLBricks.Splitting;
using DLBricks.Validation;

namespace DLBricks.Tests.Splitting;

/// <summary>Batch and sequence sizes given with --shape/--dim reach the bricks, the recipe, the results keys and the reports.</summary>
public class BatchSizeSplitTests
{
    // Exported at a static batch of 1, with the intermediate shape declared for that batch, as model-zoo files are.
    private static string StaticBatchModel(string folder)
    {
        var m = new TinyModel().Input("x", 1, 4, 8, 8);
        m.Weight("w", 4, 4, 3, 3);
        m.Node("Conv", ["x", "w"], ["c"], "conv", TinyModel.IntsAttr("pads", 1, 1, 1, 1));
        m.Node("Relu", ["c"], ["y"], "relu");
        m.Graph.ValueInfo.Add(TinyModel.ValueInfo("c", TensorProto.Types.DataType.Float, 1, 4, 8, 8));
        m.Graph.Output.Add(TinyModel.ValueInfo("y", TensorProto.Types.DataType.Float, 1, 4, 8, 8));
        return m.Save(folder, "tiny");
    }

    private static ModelInputBindings Batch(int n) => ModelInputBindings.Parse("tiny", [$"x={n},4,8,8"], [], []);

    [Fact]
    public void AStaticBatchModelSplitAtBatchEightHasBatchEightInBricksAndRecipe()
    {
        using var temp = new TempFolder();
        var path = StaticBatchModel(temp.Path);

        var split8 = SplitRunner.Run([path], new SplitOptions { Bindings = _ => Batch(8) }, Path.Combine(temp.Path, "b8"));
        var split1 = SplitRunner.Run([path], new SplitOptions { Bindings = _ => Batch(1) }, Path.Combine(temp.Path, "b1"));

        Assert.NotEmpty(split8.Catalog.Bricks);
        Assert.All(split8.Catalog.Bricks.SelectMany(b => b.Inputs.Concat(b.Outputs)), t => Assert.Equal(8, t.Shape[0]));
        var recipe = ModelRecipe.Load(Path.Combine(temp.Path, "b8", ModelRecipe.FolderName, "tiny.json"));
        var input = Assert.Single(recipe.Inputs!);
        Assert.Equal(("x", "float"), (input.Name, input.ElementType));
        Assert.Equal([8L, 4, 8, 8], input.Shape);
        Assert.Equal("x=8x4x8x8", RecipeInput.Describe(recipe.Inputs));
        Assert.Equal("x=1x4x8x8", RecipeInput.Describe(split1.Models.Single().Recipe.Inputs));
        // Results are keyed by brick hash, which covers shapes: the two batch sizes share no result.
        Assert.Empty(split8.Catalog.Bricks.Select(b => b.Hash).Intersect(split1.Catalog.Bricks.Select(b => b.Hash)));
    }

    [Fact]
    public void ValidationAtBatchEightRunsTheModelAtBatchEightAndReportsSizesAndTails()
    {
        using var temp = new TempFolder();
        var path = StaticBatchModel(temp.Path);
        var options = new ValidationRunOptions
        {
            Granularities = [1],
            EndToEndRepeats = 2,
            Profile = false,
            FixedCostBelowMs = 0,
            Scenario = new ScenarioOptions(MinQueries: 20, WarmupQueries: 2),
            Split = new SplitOptions { Bindings = _ => Batch(8) },
        };

        var report = ValidationRunner.Run([path], options, Path.Combine(temp.Path, "work"));

        var row = Assert.Single(report.Models);
        Assert.Equal("x=8x4x8x8", row.Inputs);
        Assert.Equal(40, row.E2eSamples);
        Assert.NotNull(row.E2eP90Ms);
        Assert.NotNull(row.EstimateP90Ms);
        Assert.True(row.EstimateP50Ms <= row.EstimateP90Ms && row.EstimateP90Ms <= row.EstimateP99Ms);
        Assert.Equal(row.EstimateP90Ms / row.E2eP90Ms, row.NormalizedP90);
        Assert.Equal(1, report.Summary.Single().TailModels);
        Assert.Contains("\"inputs\": \"x=8x4x8x8\"", ValidationReportJsonWriter.ToJson(report));
        var markdown = ValidationReportMarkdownWriter.ToMarkdown(report);
        Assert.Contains("x=8x4x8x8", markdown);
        Assert.Contains("## Tail latency (single stream)", markdown);

        // The model runs at batch 8 end to end (it declares batch 1, so the session runs its re-declared copy).
        var inputs = ModelInputs.Resolve(path, Batch(8));
        Assert.Equal(["x"], inputs.Redeclared);
        using var runner = OnnxModelRunner.OpenModel(path, ScenarioEngine.Configuration(), new ModelRunOptions(inputs));
        Assert.Equal([8L, 4, 8, 8], runner.Inputs.Single().Shape);
        runner.Run();
    }

    [Fact]
    public void AModelWithExternalWeightsCannotBeResizedAndTheMessageSaysWhatToDo()
    {
        using var temp = new TempFolder();
        var path = ModelFiles.ExternalModel(temp.Path, "0", "1024");
        var bindings = ModelInputBindings.Parse("external", ["x=8,16"], [], []);

        var error = Assert.Throws<InvalidModelException>(() => LayerGraphBuilder.Build(path, bindings: bindings));

        Assert.Contains(path, error.Message);
        Assert.Contains("'x'", error.Message);
        Assert.Contains("symbolic batch dim", error.Message);
        // The same model at its declared size needs no re-declaration and splits as before.
        Assert.NotEmpty(LayerGraphBuilder.Build(path).Layers);
    }

    [Fact]
    public void EstimateReportsCarryTheSplitSizes()
    {
        using var temp = new TempFolder();
        var path = StaticBatchModel(temp.Path);
        var recipe = SplitRunner.SplitInMemory(path, new SplitOptions { Bindings = _ => Batch(8) }).ToRecipe(LayerSourceInfo.Raw);

        var estimates = new ModelEstimator().Estimate(recipe, BrickLatencies.Empty);

        Assert.Equal("x=8x4x8x8", RecipeInput.Describe(estimates.Inputs));
        Assert.Contains("inputs x=8x4x8x8", EstimateTextWriter.ToText([estimates]));
        using var json = System.Text.Json.JsonDocument.Parse(EstimateJsonWriter.ToJson([estimates]));
        var shape = json.RootElement.GetProperty("models")[0].GetProperty("inputs")[0].GetProperty("shape");
        Assert.Equal([8L, 4, 8, 8], shape.EnumerateArray().Select(d => d.GetInt64()));
    }
}
