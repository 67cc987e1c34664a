using System.CommandLine;
using DLBricks.Cli.Commands;

namespace DLBricks.Tests.Cli;

/// <summary>One option name, one meaning: the renamed options, their hidden old spellings, and the shared defaults.</summary>
public sealed class OptionVocabularyTests
{
    [Theory]
    [InlineData("split", "--source-level", "--level")]
    [InlineData("estimate", "--source-level", "--level")]
    [InlineData("estimate", "--estimators", "--mode")]
    [InlineData("bench", "--session-level", "--level")]
    [InlineData("bench", "--executor", "--mode")]
    [InlineData("emit", "--executor", "--mode")]
    public void Help_lists_the_new_name_and_hides_the_old_one(string verb, string current, string old)
    {
        var output = new StringWriter();

        var exit = CommandCatalog.Root().Parse([verb, "--help"]).Invoke(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exit);
        var help = output.ToString();
        Assert.Contains(current, help);
        Assert.DoesNotContain(old + " ", help);
    }

    [Fact]
    public void Old_spelling_still_parses_and_both_spellings_together_are_refused()
    {
        var level = new RenamedOption<string>(new Option<string>("--source-level") { DefaultValueFactory = _ => "all" }, "--level", "basic", "extended", "all");
        var command = new Command("x");
        level.AddTo(command);
        var stderr = Console.Error;
        var notice = new StringWriter();
        Console.SetError(notice);
        try
        {
            Assert.Equal("basic", level.GetValue(command.Parse(["--level", "basic"])));
            Assert.Equal("extended", level.GetValue(command.Parse(["--source-level", "extended"])));
            Assert.Equal("all", level.GetValue(command.Parse([])));
            var both = Assert.Throws<InvalidModelException>(() => level.GetValue(command.Parse(["--level", "basic", "--source-level", "all"])));
            Assert.Contains("--source-level", both.Message);
        }
        finally
        {
            Console.SetError(stderr);
        }
        // One notice, for the one parse that used the old spelling alone.
        Assert.Single(notice.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("--level is deprecated", StringComparison.Ordinal));
    }

    [Fact]
    public void Cli_defaults_are_the_front_doors()
    {
        var result = CommandCatalog.Root().Parse(["validate", "m.onnx"]);

        Assert.Empty(result.Errors);
        Assert.Equal(string.Join(',', BricksOptions.Default.Granularities), result.GetValue<string>("-g"));
        Assert.Equal(BricksOptions.Default.Validation.Repeats, result.GetValue<int>("--repeats"));
        Assert.Equal(BricksOptions.Default.Threads, result.GetValue<int>("--threads"));
        Assert.Equal("all", result.GetValue<string>("--session-level"));
    }

    [Theory]
    [InlineData("validate", "--no-such-option")]
    [InlineData("split", "--executor")]
    [InlineData("estimate", "--executor")]
    [InlineData("audit-privacy", "--nope")]
    public void An_option_the_verb_does_not_know_is_refused_not_read_as_a_file(string verb, string unknown)
    {
        var result = CommandCatalog.Root().Parse(verb == "audit-privacy" ? [verb, "dir", "model.onnx", unknown] : [verb, "model.onnx", unknown, "parallel"]);

        Assert.Contains(result.Errors, e => e.Message.Contains($"'{unknown}' is not an option of '{verb}'"));
    }

    [Fact]
    public void Validate_takes_the_executor_and_a_plain_file_list_parses()
    {
        Assert.Empty(CommandCatalog.Root().Parse(["validate", "a.onnx", "b.onnx", "--executor", "parallel", "--inter-threads", "2"]).Errors);
        Assert.Empty(CommandCatalog.Root().Parse(["split", "a.onnx", "b.onnx", "-g", "1", "-o", "out"]).Errors);
    }
}
