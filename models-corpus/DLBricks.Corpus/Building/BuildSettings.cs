namespace DLBricks.Corpus.Building;

/// <summary>How a family function fills in a model.</summary>
/// <param name="Seed">Seed of the weight generator; the same seed yields byte-identical files.</param>
/// <param name="StructureOnly">
/// When true, initializers carry their shape and type but no data. The result cannot run, but building it is
/// nearly free, which lets tests check the structure of the large variants.
/// </param>
public sealed record BuildSettings(int Seed = 42, bool StructureOnly = false)
{
    /// <summary>Default settings: seed 42, real weights.</summary>
    public static BuildSettings Default { get; } = new();
}
