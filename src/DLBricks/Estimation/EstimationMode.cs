namespace DLBricks.Estimation;

/// <summary>How brick latencies are composed into a model latency.</summary>
public enum EstimationMode
{
    /// <summary>Sum over every brick occurrence, in execution order (the paper's estimate).</summary>
    Sequential,

    /// <summary>Longest latency-weighted path through the brick-level DAG: what a model with perfectly parallel branches would take.</summary>
    CriticalPath,

    /// <summary>Cheapest cover of the layer sequence by overlapping windows (<c>--overlap</c> splits only).</summary>
    OverlapCover,
}
