using System.Globalization;

namespace DLBricks.Samples.Generator;

/// <summary>How thoroughly bricks and models are measured.</summary>
public enum SampleRigor
{
    /// <summary>
    /// The paper's job (<c>BenchmarkJob.Default</c>: 10 warmup + 100 measured iterations), as <c>dlbricks bench</c>, <c>estimate</c>
    /// and <c>validate</c> use by default, so the database the sample fills serves the CLI too.
    /// </summary>
    Paper,

    /// <summary>A lighter job (3 warmup + 30 measured iterations of ~1 ms) for slow machines: about 2.4× faster.</summary>
    Light,

    /// <summary>The smoke-test job (<c>BenchmarkJob.Quick</c>: 1 warmup + 5 iterations); numbers are only indicative.</summary>
    Quick,
}

/// <summary>What the sample generator does; every member has the default of a bare <c>dotnet run</c>.</summary>
public sealed record SampleOptions
{
    /// <summary>Manifest folder; null finds <c>models-corpus/manifests</c> in the repository.</summary>
    public string? ManifestsDirectory { get; init; }

    /// <summary>Take every manifest except the synthetic test fixtures instead of the default subset.</summary>
    public bool Full { get; init; }

    /// <summary>
    /// Keep only the models of this evaluation set (of the default subset, or of every real model with <see cref="Full"/>);
    /// null takes both. Ignored with <see cref="Models"/>.
    /// </summary>
    public DLBricks.Corpus.EvaluationSet? Set { get; init; }

    /// <summary>Take exactly these manifests (by name); overrides <see cref="Full"/>.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>Granularities G to split at (with <see cref="Audit"/> and no <c>-g</c>: 1..6).</summary>
    public IReadOnlyList<int> Granularities { get; init; } = [1];

    /// <summary>
    /// Instead of validating, split every model at each G and load and run every brick once (no measuring): the check that
    /// the corpus is usable at every granularity. Without <c>-g</c> the granularities are 1..6.
    /// </summary>
    public bool Audit { get; init; }

    /// <summary>
    /// Instead of validating, benchmark the bricks of the selection minus this family (manifest <c>family:</c>) into a fresh
    /// store, then add the family's models as <c>estimate --bench-missing</c> does and report the brick cache hit rate and
    /// the time saved per model. Null: no demo.
    /// </summary>
    public string? ReuseDemoFamily { get; init; }

    /// <summary>Measurement job.</summary>
    public SampleRigor Rigor { get; init; } = SampleRigor.Paper;

    /// <summary>End-to-end measurements per model, interleaved with its bricks (at least 2, to see spread).</summary>
    public int Repeats { get; init; } = 3;

    /// <summary>Whole validations to repeat; 2 or more add the run-to-run section to the report (bricks measured afresh each run).</summary>
    public int Runs { get; init; } = 1;

    /// <summary>Folder for splits and the report.</summary>
    public string OutputDirectory { get; init; } = "dlbricks-sample";

    /// <summary>Results database (SQLite); bricks already measured there are not measured again.</summary>
    public string DatabasePath { get; init; } = "dlbricks.db";

    /// <summary>Cache of generated models; null uses <c>.cache/models</c> in the repository.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Show the usage text and do nothing else.</summary>
    public bool Help { get; init; }

    /// <summary>The usage text.</summary>
    public const string Usage = """
        dotnet run --project samples/DLBricks.Samples.Generator -c Release [-- OPTIONS]

        Splits the corpus's default models into bricks, benchmarks the unique bricks and the models end to end,
        and prints estimate versus measurement. Rerunning resumes: bricks already in the database are reused.

          --manifests DIR   manifest folder (default: models-corpus/manifests of this repository)
          --audit           no measuring: split at G = 1..6 (or -g) and load and run every brick once
          --reuse-demo FAM  benchmark the selection minus family FAM, then add FAM and report its brick cache hit rate
          --full            every real model (all manifests but the synthetic test fixtures)
          --models a,b,c    these manifests only
          --set S           tuning or report: only that half of the selection (docs/measurement.md)
          -g N[,N...]       granularities G (default 1)
          --quick           smoke-test job (1 warmup + 5 iterations)
          --rigor R         paper (default: 10 warmup + 100 iterations, as dlbricks bench), light (3 + 30) or quick
          --repeats N       end-to-end measurements per model (default 3)
          --runs K          repeat the whole validation K times and report the run-to-run spread (default 1)
          -o, --output DIR  splits and report folder (default dlbricks-sample)
          --db FILE         results database (default dlbricks.db)
          --cache DIR       generated-model cache (default .cache/models of this repository)
          -h, --help        this text
        """;

    /// <summary>Parses command-line arguments.</summary>
    /// <exception cref="ArgumentException">An argument is unknown or malformed; the message is one line naming it.</exception>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SampleOptions();
        var granularitiesGiven = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith('-'))
                    throw new ArgumentException($"{arg} needs a value.");
                return args[++i];
            }

            granularitiesGiven |= arg is "-g" or "--granularities";
            options = arg switch
            {
                "--manifests" => options with { ManifestsDirectory = Value() },
                "--full" => options with { Full = true },
                "--models" => options with { Models = ParseNames(Value()) },
                "--set" => options with { Set = ParseSet(Value()) },
                "-g" or "--granularities" => options with { Granularities = ParseGranularities(Value()) },
                "--audit" => options with { Audit = true },
                "--reuse-demo" => options with { ReuseDemoFamily = Value() },
                "--quick" => options with { Rigor = SampleRigor.Quick },
                "--rigor" => options with { Rigor = ParseRigor(Value()) },
                "--repeats" => options with { Repeats = ParseRepeats(Value()) },
                "--runs" => options with { Runs = ParseRuns(Value()) },
                "-o" or "--output" => options with { OutputDirectory = Value() },
                "--db" => options with { DatabasePath = Value() },
                "--cache" => options with { CacheDirectory = Value() },
                "-h" or "--help" => options with { Help = true },
                _ => throw new ArgumentException($"unknown argument '{arg}' (see --help)."),
            };
        }
        return options.Audit && !granularitiesGiven ? options with { Granularities = [1, 2, 3, 4, 5, 6] } : options;
    }

    private static List<string> ParseNames(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return names.Count > 0 ? names : throw new ArgumentException("--models needs at least one name.");
    }

    private static List<int> ParseGranularities(string text)
    {
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var g) || g < 1)
                throw new ArgumentException($"-g: '{part}' is not a positive integer.");
            if (!values.Contains(g)) values.Add(g);
        }
        return values.Count > 0 ? values : throw new ArgumentException("-g needs at least one granularity.");
    }

    private static DLBricks.Corpus.EvaluationSet ParseSet(string text) => text.ToLowerInvariant() switch
    {
        "tuning" => DLBricks.Corpus.EvaluationSet.Tuning,
        "report" => DLBricks.Corpus.EvaluationSet.Report,
        _ => throw new ArgumentException($"--set {text}: expected tuning or report."),
    };

    private static SampleRigor ParseRigor(string text) => text.ToLowerInvariant() switch
    {
        "paper" => SampleRigor.Paper,
        "light" => SampleRigor.Light,
        "quick" => SampleRigor.Quick,
        _ => throw new ArgumentException($"--rigor {text}: expected paper, light or quick."),
    };

    private static int ParseRuns(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? n
            : throw new ArgumentException($"--runs {text}: expected a positive integer.");

    private static int ParseRepeats(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 2
            ? n
            : throw new ArgumentException($"--repeats {text}: expected an integer of at least 2 (spread needs two measurements).");
}
