namespace DLBricks.Corpus.Manifests;

// Raw YAML shape of a manifest. YamlDotNet fills these; ManifestParser validates them into ModelManifest.
// Every property is nullable so that "missing" is distinguishable from "empty".

internal sealed class ManifestDocument
{
    public string? Name { get; set; }
    public string? Family { get; set; }
    public string? Task { get; set; }
    public SourceDocument? Source { get; set; }
    public List<InputDocument?>? Inputs { get; set; }
    public Dictionary<string, string>? Dims { get; set; }
    public string? License { get; set; }
    public string? Origin { get; set; }
    public string? Default { get; set; }
}

internal sealed class SourceDocument
{
    public string? Generated { get; set; }
    public string? Seed { get; set; }
    public Dictionary<string, string>? Config { get; set; }
    public string? File { get; set; }
}

internal sealed class InputDocument
{
    public string? Name { get; set; }
    public string? Type { get; set; }
    public List<string>? Shape { get; set; }
    public List<string>? Range { get; set; }
}
