using DLBricks.Onnx.Protos;

namespace DLBricks.Graph;

/// <summary>One compute node of a model after constant folding: the unit bricks are made of.</summary>
internal sealed class Layer
{
    internal Layer(int index, int fileOrder, NodeProto node, IReadOnlyList<string> implicitInputs)
    {
        Index = index;
        FileOrder = fileOrder;
        Node = node;
        ImplicitInputs = implicitInputs;
        // Computed once: splitting reads every layer's inputs for each candidate brick it belongs to.
        _allInputs = node.Input.Where(n => n.Length > 0).Concat(implicitInputs).ToArray();
    }

    private readonly string[] _allInputs;

    /// <summary>Position in the model's deterministic topological layer order.</summary>
    public int Index { get; }

    /// <summary>Position of the node in the model file.</summary>
    public int FileOrder { get; }

    /// <summary>The node as written in the model.</summary>
    public NodeProto Node { get; }

    /// <summary>Op type, e.g. <c>Conv</c>.</summary>
    public string OpType => Node.OpType;

    /// <summary>Operator domain (<c>""</c> for the default ONNX domain).</summary>
    public string Domain => Node.Domain is "ai.onnx" ? "" : Node.Domain;

    /// <summary>Explicit inputs in order; <c>""</c> marks an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs => Node.Input;

    /// <summary>Outer-scope tensors read by the node's subgraphs (If/Loop/Scan bodies).</summary>
    public IReadOnlyList<string> ImplicitInputs { get; }

    /// <summary>Outputs in order; <c>""</c> marks an omitted optional output.</summary>
    public IReadOnlyList<string> Outputs => Node.Output;

    /// <summary>Every tensor the layer reads: explicit then implicit inputs, omitted ones skipped.</summary>
    public IEnumerable<string> AllInputs => _allInputs;

    /// <summary><see cref="AllInputs"/> as a list, for index loops in hot paths.</summary>
    internal IReadOnlyList<string> AllInputList => _allInputs;

    /// <summary>Domain-qualified op name, e.g. <c>Conv</c> or <c>com.microsoft.FusedConv</c>.</summary>
    public string QualifiedOpType => Domain.Length == 0 ? OpType : $"{Domain}.{OpType}";

    /// <inheritdoc />
    public override string ToString() => $"#{Index} {QualifiedOpType} '{Node.Name}'";
}
