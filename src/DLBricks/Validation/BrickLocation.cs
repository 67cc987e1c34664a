using DLBricks.Export;
using DLBricks.Splitting;

namespace DLBricks.Validation;

/// <summary>Where a brick to measure lives: the split folder holding its <c>catalog.json</c>, and its catalog entry.</summary>
/// <param name="CatalogFolder">Folder of the split (the brick file is <c>CatalogFolder/Entry.File</c>).</param>
/// <param name="Entry">The brick's catalog entry (inputs to feed, file).</param>
internal sealed record BrickLocation(string CatalogFolder, BrickEntry Entry)
{
    /// <summary>Full path of the brick file.</summary>
    public string FilePath => Path.Combine(CatalogFolder, Entry.File);
}
