using System.Text;
using Google.Protobuf.Reflection;

namespace DLBricks.Onnx;

/// <summary>
/// The text of a serialized protobuf message, read straight from its wire bytes by its descriptor: every string field, and
/// the bytes fields that carry text (ONNX's string attributes and string tensors), in every nested message.
/// </summary>
/// <remarks>
/// The privacy audit needs only a brick's strings; parsing the whole message copied every tensor's raw data (gigabytes over a
/// split) into fresh arrays first. Here numeric and raw-data fields are stepped over without being read. Where a parser keeps
/// the last of two values of a singular field, this keeps both, so it never returns less text than the parsed message holds.
/// </remarks>
internal static class ProtoTextFields
{
    /// <summary>Bytes fields that hold text rather than data: <c>AttributeProto.s</c>, <c>.strings</c>, <c>TensorProto.string_data</c>.</summary>
    private static bool IsTextBytes(FieldDescriptor field) => field.Name is "s" or "strings" or "string_data";

    /// <summary>Appends the text of the message in <paramref name="bytes"/> to <paramref name="result"/>; false when the bytes are
    /// not a well-formed message (truncated, a bad varint or wire type, nested deeper than <paramref name="maxDepth"/>).</summary>
    public static bool TryCollect(ReadOnlySpan<byte> bytes, MessageDescriptor descriptor, List<string> result, int maxDepth = 100) =>
        Walk(bytes, descriptor, result, maxDepth);

    private static bool Walk(ReadOnlySpan<byte> bytes, MessageDescriptor descriptor, List<string> result, int depth)
    {
        if (depth < 0) return false;
        var position = 0;
        while (position < bytes.Length)
        {
            if (!TryReadVarint(bytes, ref position, out var tag)) return false;
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            if (number == 0) return false;
            if (wireType == 2)
            {
                if (!TryReadLength(bytes, ref position, out var length)) return false;
                var payload = bytes.Slice(position, length);
                position += length;
                var field = descriptor.FindFieldByNumber(number);
                if (field is null || payload.Length == 0 && field.FieldType != FieldType.Message) continue;
                if (field.FieldType == FieldType.String || field.FieldType == FieldType.Bytes && IsTextBytes(field))
                    result.Add(Encoding.UTF8.GetString(payload));
                else if (field.FieldType == FieldType.Message && !Walk(payload, field.MessageType, result, depth - 1))
                    return false;
            }
            else if (!(wireType == 3 ? SkipGroup(bytes, ref position, number, depth - 1) : TrySkipScalar(bytes, ref position, wireType)))
            {
                return false;
            }
        }
        return true;
    }

    // Groups are not in ONNX's schema; one in a file is stepped over as a parser steps over an unknown field.
    private static bool SkipGroup(ReadOnlySpan<byte> bytes, ref int position, int number, int depth)
    {
        if (depth < 0) return false;
        while (position < bytes.Length)
        {
            if (!TryReadVarint(bytes, ref position, out var tag)) return false;
            var wireType = (int)(tag & 7);
            if (wireType == 4) return (int)(tag >> 3) == number;
            var skipped = wireType switch
            {
                2 => TryReadLength(bytes, ref position, out var length) && (position += length) <= bytes.Length,
                3 => SkipGroup(bytes, ref position, (int)(tag >> 3), depth - 1),
                _ => TrySkipScalar(bytes, ref position, wireType),
            };
            if (!skipped) return false;
        }
        return false;
    }

    /// <summary>Steps over a varint, 64-bit or 32-bit value; false for any other wire type or when the bytes end first.</summary>
    private static bool TrySkipScalar(ReadOnlySpan<byte> bytes, ref int position, int wireType) => wireType switch
    {
        0 => TryReadVarint(bytes, ref position, out _),
        1 => (position += 8) <= bytes.Length,
        5 => (position += 4) <= bytes.Length,
        _ => false,
    };

    /// <summary>Reads a length prefix that fits in the bytes left.</summary>
    private static bool TryReadLength(ReadOnlySpan<byte> bytes, ref int position, out int length)
    {
        length = 0;
        if (!TryReadVarint(bytes, ref position, out var value) || value > (ulong)(bytes.Length - position)) return false;
        length = (int)value;
        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length) return false;
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
