using DLBricks.Onnx;
using DLBricks.Onnx.Protos;

namespace DLBricks.Graph;

/// <summary>
/// The one answer to "what does this model get fed": every real graph input with its static shape and, for integer and
/// bool inputs, its values. The shape probe, the bricks cut from the probed graph, end-to-end runs, scenarios and the
/// Observation-1 profile check all take their inputs from here, so they run the same branch with the same sizes.
/// </summary>
/// <remarks>
/// Precedence per input: a whole <c>--shape</c>; else the declared dims, symbolic ones from <c>--dim</c>, an unset leading
/// dim taken as 1 (the batch). Values: <c>--value</c> (one value fills the tensor); else integer and bool inputs are
/// <see cref="DefaultIntegerValue"/> (a valid index, length, count and true mask); floating-point inputs are seeded
/// synthetic data. Sizes are checked against <see cref="ModelInputBindings.MemoryLimitBytes"/> before any allocation.
/// </remarks>
internal sealed class ModelInputs
{
    /// <summary>What an integer or bool input holds when no <c>--value</c> is given.</summary>
    public const long DefaultIntegerValue = 1;

    private ModelInputs(string modelPath, IReadOnlyList<ShapeProbe.ResolvedInput> inputs, long totalBytes, long limitBytes,
        IReadOnlyList<string> redeclared)
    {
        ModelPath = modelPath;
        Inputs = inputs;
        TotalBytes = totalBytes;
        MemoryLimitBytes = limitBytes;
        Redeclared = redeclared;
    }

    /// <summary>
    /// Inputs whose resolved shape contradicts a static size the model declares (a model exported at batch 1 split with
    /// <c>--shape data=8,3,224,224</c>): every session must run <see cref="Resize"/>'s model, which declares the new sizes.
    /// </summary>
    public IReadOnlyList<string> Redeclared { get; }

    /// <summary>True when <see cref="Redeclared"/> is not empty.</summary>
    public bool NeedsResize => Redeclared.Count > 0;

    /// <summary>
    /// <paramref name="model"/> with its inputs declared at the resolved shapes, or the model itself when nothing contradicts.
    /// Shapes the model declares for intermediate tensors and outputs were computed for the old sizes, so they are dropped and
    /// ONNX Runtime infers them again. A reshape hard-coded to the old batch still fails, with ONNX Runtime's reason naming the node.
    /// </summary>
    /// <exception cref="InvalidModelException">The model keeps its weights in external files (they cannot follow an in-memory copy to a session).</exception>
    public OnnxModel Resize(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!NeedsResize) return model;
        if (model.HasExternalData)
            throw new InvalidModelException(
                $"{model.Path}: input '{Redeclared[0]}' is declared with static sizes that --shape/--dim change, and a model with external weights cannot be re-declared in memory; re-export it with a symbolic batch dim.");
        var proto = model.Proto.Clone();
        foreach (var input in proto.Graph.Input)
        {
            if (Find(input.Name) is not { } resolved || input.Type?.TensorType is not { } tensorType) continue;
            var shape = new TensorShapeProto();
            foreach (var d in resolved.Shape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            tensorType.Shape = shape;
        }
        proto.Graph.ValueInfo.Clear();
        foreach (var output in proto.Graph.Output)
            if (output.Type?.TensorType is { } tensorType) tensorType.Shape = null;
        return OnnxModel.Changed(proto, model);
    }

    /// <summary>Bytes of the model ONNX Runtime must load for these inputs: the file's model or its <see cref="Resize"/>d copy.</summary>
    public byte[]? ResizedBytes(string modelPath) => NeedsResize ? Google.Protobuf.MessageExtensions.ToByteArray(Resize(OnnxModel.Load(modelPath)).Proto) : null;

    /// <summary>The model the inputs belong to.</summary>
    public string ModelPath { get; }

    /// <summary>Real graph inputs (not initializers) in graph order, each with its shape and, for integer/bool inputs, values.</summary>
    public IReadOnlyList<ShapeProbe.ResolvedInput> Inputs { get; }

    /// <summary>Bytes all inputs take together.</summary>
    public long TotalBytes { get; }

    /// <summary>The limit the inputs were checked against.</summary>
    public long MemoryLimitBytes { get; }

    /// <summary>The resolved input named <paramref name="name"/>, or null.</summary>
    public ShapeProbe.ResolvedInput? Find(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>True for element types whose values <see cref="ModelInputs"/> fixes (integers and bool).</summary>
    public static bool HasFixedValues(int elementType) => ElementTypes.IsInteger(elementType) || elementType == (int)TensorProto.Types.DataType.Bool;

    /// <summary>
    /// The values of an integer or bool input, one per element (a single given value repeated); null for other inputs.
    /// </summary>
    public static long[]? ExpandedIntegers(ShapeProbe.ResolvedInput input)
    {
        if (!HasFixedValues(input.ElementType) || input.Values is not { Length: > 0 } values) return null;
        // Resolve already checked the count against the memory limit and Array.MaxLength.
        var count = (int)TensorValues.ElementCount(input.Shape);
        var result = new long[count];
        for (var i = 0; i < count; i++) result[i] = (long)values[values.Length == 1 ? 0 : i];
        return result;
    }

    /// <summary>Loads <paramref name="modelPath"/> and resolves its inputs.</summary>
    /// <exception cref="InvalidModelException">The model cannot be read or an input cannot be resolved; the message names it and the fix.</exception>
    public static ModelInputs Resolve(string modelPath, ModelInputBindings? bindings = null) => Resolve(OnnxModel.Load(modelPath), bindings);

    /// <summary>Resolves the model's real inputs (graph inputs that are not initializers) to static shapes and values.</summary>
    /// <exception cref="InvalidModelException">
    /// A dim has no value, a shape overflows or is over the memory limit, or a <c>--value</c> has the wrong length; the message
    /// names the model, the input and the option to give.
    /// </exception>
    public static ModelInputs Resolve(OnnxModel model, ModelInputBindings? bindings = null)
    {
        bindings ??= ModelInputBindings.None;
        var graph = model.Proto.Graph;
        var initializers = new HashSet<string>(graph.Initializer.Select(i => i.Name));
        var resolved = new List<ShapeProbe.ResolvedInput>();
        var redeclared = new List<string>();
        long total = 0;
        foreach (var input in graph.Input)
        {
            if (initializers.Contains(input.Name)) continue;
            if (input.Type?.TensorType is not { } tensorType)
                throw new InvalidModelException($"{model.Path}: input '{input.Name}' is not a tensor (sequence/map inputs are not supported).");
            var shape = Shape(model, input.Name, tensorType, bindings);
            if (ContradictsDeclared(tensorType, shape)) redeclared.Add(input.Name);
            var what = $"{model.Path}: input '{input.Name}'";
            var count = TensorSize.CheckedElementCount(shape, tensorType.ElemType, bindings.MemoryLimitBytes, what);
            total += TensorSize.TryByteSize(count, tensorType.ElemType)!.Value;
            if (total > bindings.MemoryLimitBytes)
                throw new InvalidModelException(
                    $"{what}: the model's inputs together need {TensorSize.Describe(total)} or more, over the memory limit of {TensorSize.Describe(bindings.MemoryLimitBytes)}; give smaller --shape or --dim values, or raise --memory-limit.");

            bindings.Values.TryGetValue(input.Name, out var values);
            if (values is not null && values.Length != 1 && values.Length != count)
                throw new InvalidModelException(
                    $"{model.Path}: --value {input.Name} gives {values.Length} values but the input has {count} elements; give one value or one per element.");
            if (values is null && HasFixedValues(tensorType.ElemType))
                values = [DefaultIntegerValue];
            resolved.Add(new ShapeProbe.ResolvedInput(input.Name, tensorType.ElemType, shape, values));
        }
        return new ModelInputs(model.Path, resolved, total, bindings.MemoryLimitBytes, redeclared);
    }

    /// <summary>True when the model declares a rank or a static dim that <paramref name="shape"/> does not have.</summary>
    private static bool ContradictsDeclared(TypeProto.Types.Tensor tensorType, long[] shape)
    {
        if (tensorType.Shape?.Dim is not { } dims) return false;
        if (dims.Count != shape.Length) return true;
        for (var d = 0; d < dims.Count; d++)
            if (dims[d].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[d].DimValue > 0 && dims[d].DimValue != shape[d])
                return true;
        return false;
    }

    private static long[] Shape(OnnxModel model, string name, TypeProto.Types.Tensor tensorType, ModelInputBindings bindings)
    {
        if (bindings.Shapes.TryGetValue(name, out var given))
            return given;
        var dims = tensorType.Shape?.Dim
                   ?? throw new InvalidModelException($"{model.Path}: input '{name}' has no shape; give one with --shape {name}=D0,D1,...");
        var shape = new long[dims.Count];
        for (var d = 0; d < dims.Count; d++)
        {
            var dim = dims[d];
            if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue > 0)
                shape[d] = dim.DimValue;
            else if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam && bindings.Dims.TryGetValue(dim.DimParam, out var v))
                shape[d] = v;
            else if (d == 0)
                shape[d] = 1; // documented default: an unset leading dim is the batch dim, taken as 1
            else
            {
                var symbol = dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? dim.DimParam : "?";
                throw new InvalidModelException(
                    $"{model.Path}: input '{name}' dim {d} ('{symbol}') has no value; give it with --dim {symbol}=N or --shape {name}=D0,D1,...");
            }
        }
        return shape;
    }
}
