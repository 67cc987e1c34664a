using DLBricks.Onnx;
using DLBricks.Onnx.Protos;
using DLBricks.Tests.Export;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DLBricks.Tests.Onnx;

public class ProtoTextFieldsTests
{
    // The parsed message's text, found by reflection over every field: what the audit read before the wire walk.
    private static List<string> ParsedText(IMessage message)
    {
        var result = new List<string>();
        void Walk(IMessage m)
        {
            foreach (var field in m.Descriptor.Fields.InFieldNumberOrder())
            {
                var text = field.FieldType == FieldType.String || (field.FieldType == FieldType.Bytes && field.Name is "s" or "strings" or "string_data");
                if (!text && field.FieldType != FieldType.Message) continue;
                var value = field.Accessor.GetValue(m);
                foreach (var item in field.IsRepeated ? ((System.Collections.IEnumerable)value).Cast<object?>() : [value])
                {
                    switch (item)
                    {
                        case string s when s.Length > 0: result.Add(s); break;
                        case ByteString b when !b.IsEmpty: result.Add(b.ToStringUtf8()); break;
                        case IMessage child: Walk(child); break;
                    }
                }
            }
        }
        Walk(message);
        return result;
    }

    private static byte[] FixtureBytes()
    {
        var model = new PrivacyFixture(seed: 3).Model.Clone();
        model.MetadataProps.Add(new StringStringEntryProto { Key = "owner", Value = "AcmeSecret team" });
        model.Graph.Node[0].Attribute.Add(new AttributeProto
        {
            Name = "note", Type = AttributeProto.Types.AttributeType.Strings, Strings = { ByteString.CopyFromUtf8("AcmeSecret_a"), ByteString.CopyFromUtf8("b") },
        });
        var strings = new TensorProto { Name = "AcmeSecret_labels", DataType = (int)TensorProto.Types.DataType.String, Dims = { 2 } };
        strings.StringData.Add(ByteString.CopyFromUtf8("cat"));
        strings.StringData.Add(ByteString.CopyFromUtf8("AcmeSecret_dog"));
        model.Graph.Initializer.Add(strings);
        return model.ToByteArray();
    }

    [Fact]
    public void FindsTheSameTextAsAParseOfTheMessage()
    {
        var inputs = new List<byte[]> { FixtureBytes(), File.ReadAllBytes(TestPaths.LightModel("squeezenet")) };
        foreach (var bytes in inputs)
        {
            var parsed = ParsedText(ModelProto.Parser.ParseFrom(bytes));
            var walked = new List<string>();

            Assert.True(ProtoTextFields.TryCollect(bytes, ModelProto.Descriptor, walked));

            Assert.NotEmpty(parsed);
            Assert.Equal(parsed.Order(StringComparer.Ordinal), walked.Order(StringComparer.Ordinal));
        }
        var fixture = new List<string>();
        ProtoTextFields.TryCollect(FixtureBytes(), ModelProto.Descriptor, fixture);
        // Subgraph bodies, metadata, string attributes and string tensors are all reached.
        Assert.Contains("AcmeSecret team", fixture);
        Assert.Contains("AcmeSecret_a", fixture);
        Assert.Contains("AcmeSecret_dog", fixture);
    }

    [Fact]
    public void RefusesExactlyTheCutsAParserRefuses()
    {
        var bytes = FixtureBytes();
        var refused = 0;
        for (var cut = 1; cut < bytes.Length; cut += 7)
        {
            var prefix = bytes.AsSpan(0, cut).ToArray();
            ModelProto? parsed;
            try { parsed = ModelProto.Parser.ParseFrom(prefix); }
            catch (InvalidProtocolBufferException) { parsed = null; }
            var walked = new List<string>();

            var ok = ProtoTextFields.TryCollect(prefix, ModelProto.Descriptor, walked);

            Assert.True(ok == parsed is not null, $"cut at {cut}: walk {ok}, parse {parsed is not null}");
            if (parsed is not null) Assert.Equal(ParsedText(parsed).Order(StringComparer.Ordinal), walked.Order(StringComparer.Ordinal));
            else refused++;
        }
        Assert.True(refused > 0);
    }
}
