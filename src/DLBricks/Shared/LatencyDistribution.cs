using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DLBricks.Shared;

/// <summary>
/// The per-iteration latencies of one measurement, sorted ascending, in milliseconds: what tail-latency estimates draw from.
/// Values are held at single precision (7 significant digits, far below timer noise), so a distribution read back from a store
/// equals the one written. More than <see cref="MaxStored"/> samples are thinned to that many evenly spaced order statistics.
/// </summary>
[JsonConverter(typeof(LatencyDistributionJsonConverter))]
public sealed class LatencyDistribution : IEquatable<LatencyDistribution>
{
    /// <summary>Most samples kept: 1 000 single-precision values are 4 kB per result, and quantiles up to P99.9 stay resolved.</summary>
    public const int MaxStored = 1000;

    // Prefix of the stored text: the encoding can change without guessing what an old row holds.
    private const string EncodingPrefix = "f32le:";

    private readonly double[] _samples;

    private LatencyDistribution(double[] sortedSamples) => _samples = sortedSamples;

    /// <summary>The kept samples (ms), ascending.</summary>
    public IReadOnlyList<double> SamplesMs => _samples;

    /// <summary>Number of kept samples.</summary>
    public int Count => _samples.Length;

    /// <summary>
    /// A distribution of <paramref name="samplesMs"/> (any order); null when there are no finite samples. Negative values
    /// (a clock that stepped) are kept: dropping them would bias the distribution upwards.
    /// </summary>
    public static LatencyDistribution? FromSamples(IEnumerable<double> samplesMs)
    {
        ArgumentNullException.ThrowIfNull(samplesMs);
        var sorted = samplesMs.Where(double.IsFinite).Select(v => (double)(float)v).Order().ToArray();
        if (sorted.Length == 0) return null;
        if (sorted.Length <= MaxStored) return new LatencyDistribution(sorted);
        // Thinning keeps the order statistic nearest each of MaxStored evenly spaced probabilities, so every quantile of the
        // thinned set is within one rank step (1/MaxStored) of the full set's.
        var thinned = new double[MaxStored];
        for (var i = 0; i < MaxStored; i++)
            thinned[i] = sorted[(int)Math.Floor((i + 0.5) * sorted.Length / MaxStored)];
        return new LatencyDistribution(thinned);
    }

    /// <summary>Several measurements of the same thing pooled into one distribution (null when none has samples).</summary>
    internal static LatencyDistribution? Pool(IEnumerable<LatencyDistribution?> distributions)
    {
        ArgumentNullException.ThrowIfNull(distributions);
        return FromSamples(distributions.Where(d => d is not null).SelectMany(d => d!._samples));
    }

    /// <summary>Nearest-rank quantile (no interpolation), as MLPerf's load generator reports percentiles.</summary>
    /// <param name="fraction">Probability in [0, 1].</param>
    public double Quantile(double fraction)
    {
        if (fraction is < 0 or > 1 || double.IsNaN(fraction))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "a quantile's probability is between 0 and 1.");
        var rank = (int)Math.Ceiling(fraction * _samples.Length);
        return _samples[Math.Clamp(rank - 1, 0, _samples.Length - 1)];
    }

    /// <summary>One sample drawn uniformly from the kept samples (the empirical distribution).</summary>
    internal double Draw(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return _samples[random.Next(_samples.Length)];
    }

    /// <summary>Compact text for a store column: a prefix and the samples as little-endian single-precision floats in base64.</summary>
    internal string Encode()
    {
        var bytes = new byte[_samples.Length * sizeof(float)];
        for (var i = 0; i < _samples.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), (float)_samples[i]);
        return EncodingPrefix + Convert.ToBase64String(bytes);
    }

    /// <summary>Reads the text <see cref="Encode"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The text is not an encoded distribution.</exception>
    internal static LatencyDistribution Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(EncodingPrefix, StringComparison.Ordinal))
            throw new InvalidDataException($"latency samples '{Shorten(text)}' are not in a known encoding (expected the prefix '{EncodingPrefix}').");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text[EncodingPrefix.Length..]);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"latency samples '{Shorten(text)}' are not valid base64.", e);
        }
        if (bytes.Length == 0 || bytes.Length % sizeof(float) != 0)
            throw new InvalidDataException($"latency samples '{Shorten(text)}' hold {bytes.Length} bytes, not a whole number of samples.");
        var samples = new double[bytes.Length / sizeof(float)];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        // Written sorted; sorting again costs nothing and protects the nearest-rank quantiles from a hand-edited row.
        Array.Sort(samples);
        return new LatencyDistribution(samples);
    }

    /// <inheritdoc />
    public bool Equals(LatencyDistribution? other) => other is not null && _samples.AsSpan().SequenceEqual(other._samples);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LatencyDistribution);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_samples.Length);
        foreach (var s in _samples.Take(8)) hash.Add(s);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Count} samples, P50 {Quantile(0.5):0.####} ms, P90 {Quantile(0.9):0.####} ms, P99 {Quantile(0.99):0.####} ms");

    private static string Shorten(string text) => text.Length <= 24 ? text : text[..24] + "...";
}

/// <summary>Writes a <see cref="LatencyDistribution"/> as its compact encoded text (results archives, reports).</summary>
internal sealed class LatencyDistributionJsonConverter : JsonConverter<LatencyDistribution>
{
    public override LatencyDistribution? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("latency samples must be an encoded string.");
        try
        {
            return LatencyDistribution.Decode(reader.GetString()!);
        }
        catch (InvalidDataException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, LatencyDistribution value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.Encode());
}
