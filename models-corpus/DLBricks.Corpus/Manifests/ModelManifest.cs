using DLBricks.Corpus.Building;

namespace DLBricks.Corpus.Manifests;

/// <summary>A validated model manifest (one YAML file in models-corpus/manifests/).</summary>
/// <param name="Name">Unique model name, also the cached file's stem.</param>
/// <param name="Family">Architecture family (descriptive, e.g. "resnet").</param>
/// <param name="Task">What the model is for.</param>
/// <param name="Source">Where the model comes from: a generator call or a file.</param>
/// <param name="Inputs">Declared graph inputs.</param>
/// <param name="Dims">Values for every symbolic dimension used by the inputs.</param>
/// <param name="License">Licence of the model file / weights.</param>
/// <param name="Origin">Where the architecture or file comes from (paper, model zoo), if given.</param>
/// <param name="IsDefault">Member of the fast default subset.</param>
/// <param name="ManifestPath">Path of the YAML file this manifest was read from.</param>
public sealed record ModelManifest(
    string Name,
    string Family,
    ModelTask Task,
    ModelSource Source,
    IReadOnlyList<ManifestInput> Inputs,
    IReadOnlyDictionary<string, long> Dims,
    string License,
    string? Origin,
    bool IsDefault,
    string ManifestPath)
{
    /// <summary>Concrete shape of <paramref name="input"/> with symbolic dims replaced by <see cref="Dims"/>.</summary>
    public long[] ConcreteShape(ManifestInput input) =>
        input.Shape.Select(d => d.IsSymbolic ? Dims[d.Symbol!] : d.Value!.Value).ToArray();
}

/// <summary>Origin of a model: exactly one of <see cref="Generated"/> or <see cref="File"/> is set.</summary>
/// <param name="Generated">"family/variant" of a generated model.</param>
/// <param name="Seed">Weight seed of a generated model.</param>
/// <param name="Config">Family options of a generated model (keys sorted).</param>
/// <param name="File">Model file path relative to the manifest's folder.</param>
public sealed record ModelSource(string? Generated, int Seed, IReadOnlyDictionary<string, string> Config, string? File)
{
    /// <summary>Family part of <see cref="Generated"/>.</summary>
    public string? GeneratedFamily => Generated?.Split('/', 2)[0];

    /// <summary>Variant part of <see cref="Generated"/>.</summary>
    public string? GeneratedVariant => Generated?.Split('/', 2)[1];
}

/// <summary>One declared graph input.</summary>
/// <param name="Name">Input tensor name in the graph.</param>
/// <param name="ElementType">ONNX element type in lower case: float, int64, int32, bool, ...</param>
/// <param name="Shape">Shape with fixed and symbolic dims.</param>
/// <param name="Min">Smallest value to feed (integer inputs), if constrained.</param>
/// <param name="Max">Largest value to feed (integer inputs), if constrained.</param>
public sealed record ManifestInput(string Name, string ElementType, IReadOnlyList<Dim> Shape, long? Min, long? Max);

/// <summary>A manifest could not be read; the message is one line that starts with the manifest path.</summary>
public sealed class ManifestException : Exception
{
    /// <summary>Creates the exception for <paramref name="manifestPath"/>.</summary>
    public ManifestException(string manifestPath, string cause, Exception? inner = null)
        : base($"{manifestPath}: {cause}", inner)
    {
        ManifestPath = manifestPath;
        Cause = cause;
    }

    /// <summary>The manifest file.</summary>
    public string ManifestPath { get; }

    /// <summary>The reason, without the path.</summary>
    public string Cause { get; }
}
