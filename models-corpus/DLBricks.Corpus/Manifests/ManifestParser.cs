using System.Globalization;
using System.Text.RegularExpressions;
using DLBricks.Corpus.Building;
using DLBricks.Corpus.Families;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace DLBricks.Corpus.Manifests;

/// <summary>
/// Reads and validates manifest YAML. Every problem (unknown field, missing input, bad dim, unknown family, ...)
/// becomes a <see cref="ManifestException"/> whose message is one line naming the file.
/// </summary>
public static partial class ManifestParser
{
    private static readonly HashSet<string> ElementTypes = new(StringComparer.Ordinal)
    {
        "float", "float16", "double", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
    };

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(LowerCaseNamingConvention.Instance)
        .Build();

    /// <summary>Parses the manifest file at <paramref name="path"/>.</summary>
    public static ModelManifest ParseFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ManifestException(path, "cannot read: " + e.Message, e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses manifest YAML; <paramref name="path"/> names the file in errors and anchors relative paths.</summary>
    public static ModelManifest Parse(string yaml, string path)
    {
        ManifestDocument? doc;
        try
        {
            doc = Deserializer.Deserialize<ManifestDocument?>(yaml);
        }
        catch (YamlException e)
        {
            throw new ManifestException(path, Describe(e), e);
        }
        if (doc is null) throw new ManifestException(path, "manifest is empty");
        try
        {
            return Validate(doc, path);
        }
        catch (FormatException e)
        {
            throw new ManifestException(path, e.Message, e);
        }
    }

    private static ModelManifest Validate(ManifestDocument doc, string path)
    {
        string name = Required(doc.Name, "name");
        if (!NamePattern().IsMatch(name)) throw new FormatException($"name '{name}' may only use letters, digits, '.', '_' and '-'");
        string family = Required(doc.Family, "family");
        var task = ParseTask(Required(doc.Task, "task"));
        var source = ParseSource(doc.Source ?? throw new FormatException("missing field 'source'"));
        string license = Required(doc.License, "license");
        bool isDefault = doc.Default switch
        {
            null => false,
            "true" => true,
            "false" => false,
            var other => throw new FormatException($"'default' must be true or false, got '{other}'"),
        };

        var dims = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (symbol, value) in doc.Dims ?? new())
        {
            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < 1)
                throw new FormatException($"dims: value of '{symbol}' must be a positive integer, got '{value}'");
            dims[symbol] = v;
        }

        if (doc.Inputs is null || doc.Inputs.Count == 0) throw new FormatException("missing field 'inputs' (declare at least one input)");
        var inputs = new List<ManifestInput>();
        for (int i = 0; i < doc.Inputs.Count; i++)
        {
            var input = doc.Inputs[i] ?? throw new FormatException($"inputs[{i}] is empty");
            inputs.Add(ParseInput(input, i, dims));
        }
        var duplicate = inputs.GroupBy(x => x.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new FormatException($"input '{duplicate.Key}' is declared twice");

        return new ModelManifest(name, family, task, source, inputs, dims, license, doc.Origin, isDefault, path);
    }

    private static ManifestInput ParseInput(InputDocument input, int index, IReadOnlyDictionary<string, long> dims)
    {
        string name = Required(input.Name, $"inputs[{index}].name");
        string type = Required(input.Type, $"inputs[{index}].type");
        if (!ElementTypes.Contains(type)) throw new FormatException($"input '{name}': unknown element type '{type}'");
        if (input.Shape is null || input.Shape.Count == 0) throw new FormatException($"input '{name}': missing shape");

        var shape = new List<Dim>();
        foreach (var raw in input.Shape)
        {
            string text = (raw ?? "").Trim();
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long fixedSize) && fixedSize >= 1)
                shape.Add(fixedSize);
            else if (SymbolPattern().IsMatch(text))
            {
                if (!dims.ContainsKey(text))
                    throw new FormatException($"input '{name}': symbolic dim '{text}' has no value under 'dims'");
                shape.Add(text);
            }
            else throw new FormatException($"input '{name}': bad dim '{text}' (use a positive integer or a name like 'batch')");
        }

        long? min = null, max = null;
        if (input.Range is not null)
        {
            if (type is "float" or "float16" or "double" or "bool")
                throw new FormatException($"input '{name}': 'range' applies to integer inputs only");
            if (input.Range.Count != 2
                || !long.TryParse(input.Range[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long lo)
                || !long.TryParse(input.Range[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long hi)
                || lo > hi)
                throw new FormatException($"input '{name}': 'range' must be [min, max] integers with min <= max");
            (min, max) = (lo, hi);
        }
        return new ManifestInput(name, type, shape, min, max);
    }

    private static ModelSource ParseSource(SourceDocument source)
    {
        bool generated = source.Generated is not null, file = source.File is not null;
        if (generated == file) throw new FormatException("source needs exactly one of 'generated' or 'file'");
        if (file)
        {
            if (source.Seed is not null || source.Config is not null)
                throw new FormatException("source: 'seed' and 'config' only apply to generated models");
            if (string.IsNullOrWhiteSpace(source.File)) throw new FormatException("source: 'file' is empty");
            return new ModelSource(null, 0, new Dictionary<string, string>(), source.File);
        }

        var parts = source.Generated!.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new FormatException($"source: 'generated' must be family/variant, got '{source.Generated}'");
        var family = ModelFamilies.Find(parts[0])
            ?? throw new FormatException($"unknown family '{parts[0]}' (known: {string.Join(", ", ModelFamilies.All.Select(f => f.Name))})");
        if (!family.Variants.Contains(parts[1], StringComparer.Ordinal))
            throw new FormatException($"family '{family.Name}' has no variant '{parts[1]}' (known: {string.Join(", ", family.Variants)})");
        int seed = 42;
        if (source.Seed is not null && !int.TryParse(source.Seed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed))
            throw new FormatException($"source: seed must be an integer, got '{source.Seed}'");
        var config = new SortedDictionary<string, string>(source.Config ?? new(), StringComparer.Ordinal);
        return new ModelSource(source.Generated, seed, config, null);
    }

    private static ModelTask ParseTask(string task) => task switch
    {
        "classification" => ModelTask.Classification,
        "detection-backbone" => ModelTask.DetectionBackbone,
        "segmentation" => ModelTask.Segmentation,
        "language" => ModelTask.Language,
        "synthetic" => ModelTask.Synthetic,
        _ => throw new FormatException($"unknown task '{task}' (use classification, detection-backbone, segmentation, language or synthetic)"),
    };

    /// <summary>Manifest spelling of a task.</summary>
    public static string TaskName(ModelTask task) => task switch
    {
        ModelTask.DetectionBackbone => "detection-backbone",
        _ => task.ToString().ToLowerInvariant(),
    };

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new FormatException($"missing field '{field}'") : value;

    private static string Describe(YamlException e)
    {
        string line = $"line {e.Start.Line}";
        var unknown = UnknownProperty().Match(e.Message);
        if (unknown.Success) return $"unknown field '{unknown.Groups[1].Value}' at {line}";
        string message = (e.InnerException?.Message ?? e.Message).ReplaceLineEndings(" ");
        // YamlDotNet prefixes positions in its messages; ours are already in front.
        message = PositionPrefix().Replace(message, "");
        message = PositionSuffix().Replace(message, "");
        return $"invalid YAML at {line}: {message}";
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SymbolPattern();

    [GeneratedRegex(@"Property '([^']+)' not found")]
    private static partial Regex UnknownProperty();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    [GeneratedRegex(@"\s*\(at Line: \d+, Col: \d+, Idx: \d+\)\.?$")]
    private static partial Regex PositionSuffix();
}
