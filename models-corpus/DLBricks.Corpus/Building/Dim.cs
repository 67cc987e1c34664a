namespace DLBricks.Corpus.Building;

/// <summary>One dimension of a tensor shape: a fixed size or a symbolic name such as "batch".</summary>
public readonly record struct Dim
{
    private Dim(long? value, string? symbol) { Value = value; Symbol = symbol; }

    /// <summary>Fixed size, or null when the dimension is symbolic.</summary>
    public long? Value { get; }

    /// <summary>Symbolic name, or null when the dimension is fixed.</summary>
    public string? Symbol { get; }

    /// <summary>True when the dimension is a symbolic name.</summary>
    public bool IsSymbolic => Symbol is not null;

    /// <summary>A fixed dimension.</summary>
    public static Dim Fixed(long value) =>
        value < 0 ? throw new ArgumentOutOfRangeException(nameof(value), "Dimension sizes are non-negative.") : new Dim(value, null);

    /// <summary>A symbolic dimension.</summary>
    public static Dim Named(string symbol) =>
        string.IsNullOrWhiteSpace(symbol) ? throw new ArgumentException("Symbolic dimension needs a name.", nameof(symbol)) : new Dim(null, symbol);

    /// <summary>Fixed dimension from an integer.</summary>
    public static implicit operator Dim(long value) => Fixed(value);

    /// <summary>Fixed dimension from an integer.</summary>
    public static implicit operator Dim(int value) => Fixed(value);

    /// <summary>Symbolic dimension from a name.</summary>
    public static implicit operator Dim(string symbol) => Named(symbol);

    /// <inheritdoc />
    public override string ToString() => Symbol ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
