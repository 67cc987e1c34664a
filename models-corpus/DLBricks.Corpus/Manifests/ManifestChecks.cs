using DLBricks.Onnx.Protos;

namespace DLBricks.Corpus.Manifests;

/// <summary>Checks a manifest's declared inputs against the graph inputs of the model it describes.</summary>
public static class ManifestChecks
{
    /// <summary>ONNX element type name (as manifests spell it) for a TensorProto data type number.</summary>
    public static string ElementTypeName(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float => "float",
        TensorProto.Types.DataType.Float16 => "float16",
        TensorProto.Types.DataType.Double => "double",
        TensorProto.Types.DataType.Int8 => "int8",
        TensorProto.Types.DataType.Int16 => "int16",
        TensorProto.Types.DataType.Int32 => "int32",
        TensorProto.Types.DataType.Int64 => "int64",
        TensorProto.Types.DataType.Uint8 => "uint8",
        TensorProto.Types.DataType.Uint16 => "uint16",
        TensorProto.Types.DataType.Uint32 => "uint32",
        TensorProto.Types.DataType.Uint64 => "uint64",
        TensorProto.Types.DataType.Bool => "bool",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Throws <see cref="ManifestException"/> when the model has an input the manifest does not declare (or the
    /// reverse), or when element types, ranks or fixed dims disagree. A dim the model leaves symbolic may be declared
    /// either way; a fixed model dim must be declared with the same value.
    /// </summary>
    public static void Verify(ModelManifest manifest, ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var graphInputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        var declared = manifest.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);

        foreach (var input in graphInputs)
        {
            if (!declared.TryGetValue(input.Name, out var d))
                throw Fail(manifest, $"missing input '{input.Name}' (the model has inputs {string.Join(", ", graphInputs.Select(i => i.Name))})");
            var tensorType = input.Type?.TensorType;
            if (tensorType is null) continue;
            string type = ElementTypeName(tensorType.ElemType);
            if (type != d.ElementType) throw Fail(manifest, $"input '{input.Name}' is {type} in the model but {d.ElementType} in the manifest");
            if (tensorType.Shape is null) continue;
            var dims = tensorType.Shape.Dim;
            if (dims.Count != d.Shape.Count)
                throw Fail(manifest, $"input '{input.Name}' has rank {dims.Count} in the model but {d.Shape.Count} in the manifest");
            for (int i = 0; i < dims.Count; i++)
            {
                bool modelFixed = dims[i].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue;
                if (modelFixed && (d.Shape[i].IsSymbolic || d.Shape[i].Value != dims[i].DimValue))
                    throw Fail(manifest, $"input '{input.Name}' dim {i} is {dims[i].DimValue} in the model but {d.Shape[i]} in the manifest");
            }
        }
        var extra = manifest.Inputs.FirstOrDefault(i => graphInputs.All(g => g.Name != i.Name));
        if (extra is not null) throw Fail(manifest, $"declared input '{extra.Name}' does not exist in the model");
    }

    private static ManifestException Fail(ModelManifest manifest, string cause) => new(manifest.ManifestPath, cause);
}
