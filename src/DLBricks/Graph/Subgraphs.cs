using DLBricks.Onnx.Protos;

namespace DLBricks.Graph;

/// <summary>Outer-scope references of control-flow ops (If/Loop/Scan), which make the op depend on tensors it doesn't list as inputs.</summary>
internal static class Subgraphs
{
    /// <summary>Tensors the node's subgraph attributes read from the enclosing scope, in first-use order.</summary>
    public static IReadOnlyList<string> ImplicitInputs(NodeProto node)
    {
        var result = new List<string>();
        var seen = new HashSet<string>();
        foreach (var attr in node.Attribute)
        {
            foreach (var g in GraphsOf(attr))
                foreach (var name in OuterReferences(g))
                    if (seen.Add(name)) result.Add(name);
        }
        return result;
    }

    /// <summary>True when the node carries a graph-valued attribute (If branches, Loop and Scan bodies).</summary>
    public static bool HasSubgraphs(NodeProto node)
    {
        foreach (var attr in node.Attribute)
            if (attr.G is not null || attr.Graphs.Count > 0) return true;
        return false;
    }

    /// <summary>The graphs held by one attribute (<c>g</c> or <c>graphs</c>).</summary>
    public static IEnumerable<GraphProto> GraphsOf(AttributeProto attr)
    {
        if (attr.G is not null) yield return attr.G;
        foreach (var g in attr.Graphs) yield return g;
    }

    private static IEnumerable<string> OuterReferences(GraphProto graph)
    {
        var defined = new HashSet<string>(graph.Input.Select(i => i.Name));
        defined.UnionWith(graph.Initializer.Select(i => i.Name));
        var outer = new List<string>();
        var seen = new HashSet<string>();
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Concat(ImplicitInputs(node)))
                if (input.Length > 0 && !defined.Contains(input) && seen.Add(input))
                    outer.Add(input);
            defined.UnionWith(node.Output);
        }
        foreach (var output in graph.Output)
            if (!defined.Contains(output.Name) && seen.Add(output.Name))
                outer.Add(output.Name);
        return outer;
    }
}
