using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace DLBricks.Tests.Architecture;

/// <summary>
/// The reviewed public surface (<c>src/DLBricks/PublicAPI.Shipped.txt</c> + <c>PublicAPI.Unshipped.txt</c>) is the compiled
/// one. The build reports drift only as warnings (RS0016/RS0017) so parallel branches can merge; this test makes drift fail.
/// It compares symbols, not signatures: one key per type, and one per member overload, accessor, constant or enum value.
/// </summary>
public sealed partial class PublicApiListingTests
{
    private static readonly Assembly Library = typeof(Bricks).Assembly;

    [Fact]
    public void Listing_matches_the_compiled_public_surface()
    {
        var listed = ListedKeys();
        var compiled = CompiledKeys();
        var undeclared = Difference(compiled, listed);
        var stale = Difference(listed, compiled);
        Assert.True(undeclared.Count == 0 && stale.Count == 0,
            $"the public API listing differs from the compiled library; run scripts/update-public-api.sh and review the diff of src/DLBricks/PublicAPI.*.txt.\n" +
            $"public but not listed ({undeclared.Count}): {string.Join(", ", undeclared.Take(20))}\n" +
            $"listed but not public ({stale.Count}): {string.Join(", ", stale.Take(20))}");
    }

    [Fact]
    public void Comparison_sees_the_front_door_and_not_the_internals()
    {
        var compiled = CompiledKeys();
        // Guards against a comparison that passes because both sides came out empty or blind.
        Assert.Contains("DLBricks.Bricks", compiled);
        Assert.Contains("DLBricks.Bricks.EstimateAsync", compiled);
        Assert.Contains("DLBricks.BricksOptions.Threads.init", compiled);
        Assert.Contains("DLBricks.Estimators.All", compiled);
        Assert.DoesNotContain("DLBricks.SplitRunner", compiled);
        Assert.Contains("DLBricks.Bricks.EstimateAsync", ListedKeys());
    }

    private static List<string> Difference(List<string> a, List<string> b)
    {
        var remaining = b.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        var result = new List<string>();
        foreach (var key in a)
        {
            if (remaining.TryGetValue(key, out var n) && n > 0) remaining[key] = n - 1;
            else result.Add(key);
        }
        return result.Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>One key per line of the listing: the symbol's full name without modifiers, parameters, values or return type.</summary>
    private static List<string> ListedKeys()
    {
        var folder = Path.Combine(TestPaths.RepoRoot, "src", "DLBricks");
        var keys = new List<string>();
        foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            foreach (var raw in File.ReadLines(Path.Combine(folder, file)))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("*REMOVED*", StringComparison.Ordinal)) continue;
                line = Modifiers().Replace(line.TrimStart('~'), "");
                line = Indexer().Replace(line, "Item");
                var paren = line.IndexOf('(');
                if (paren >= 0) line = line[..paren];
                foreach (var cut in new[] { " -> ", " = " })
                    if (line.IndexOf(cut, StringComparison.Ordinal) is var at and >= 0) line = line[..at];
                keys.Add(line.Trim());
            }
        }
        return keys;
    }

    /// <summary>The same keys, read from the compiled assembly.</summary>
    private static List<string> CompiledKeys()
    {
        const BindingFlags declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        var keys = new List<string>();
        foreach (var type in Library.GetExportedTypes())
        {
            var name = TypeName(type);
            keys.Add(name);
            var sealedType = type.IsSealed;
            bool Visible(MethodBase m) => m.IsPublic || (!sealedType && (m.IsFamily || m.IsFamilyOrAssembly));
            foreach (var ctor in type.GetConstructors(declared).Where(c => !c.IsStatic && Visible(c)))
                keys.Add($"{name}.{SimpleName(type)}");
            // Every struct has a parameterless constructor the listing names and metadata does not hold.
            if (type.IsValueType && !type.IsEnum && type.GetConstructor(Type.EmptyTypes) is null)
                keys.Add($"{name}.{SimpleName(type)}");
            foreach (var method in type.GetMethods(declared).Where(Visible))
            {
                if (method.IsSpecialName && (method.Name.StartsWith("add_", StringComparison.Ordinal) || method.Name.StartsWith("remove_", StringComparison.Ordinal))) continue;
                keys.Add($"{name}.{MemberName(method)}");
            }
            foreach (var field in type.GetFields(declared).Where(f => !f.IsSpecialName && (f.IsPublic || (!sealedType && (f.IsFamily || f.IsFamilyOrAssembly)))))
                keys.Add($"{name}.{field.Name}");
            foreach (var ev in type.GetEvents(declared).Where(e => e.AddMethod is { } add && Visible(add)))
                keys.Add($"{name}.{ev.Name}");
        }
        return keys;
    }

    private static string MemberName(MethodInfo method)
    {
        if (method.IsSpecialName)
        {
            if (method.Name.StartsWith("get_", StringComparison.Ordinal)) return method.Name[4..] + ".get";
            if (method.Name.StartsWith("set_", StringComparison.Ordinal))
            {
                var init = method.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
                return method.Name[4..] + (init ? ".init" : ".set");
            }
            if (Operators.TryGetValue(method.Name, out var op)) return op;
            if (method.Name is "op_Implicit" or "op_Explicit")
                return $"{(method.Name == "op_Implicit" ? "implicit" : "explicit")} operator {TypeName(method.ReturnType)}";
        }
        return method.IsGenericMethodDefinition
            ? $"{method.Name}<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>"
            : method.Name;
    }

    private static readonly Dictionary<string, string> Operators = new(StringComparer.Ordinal)
    {
        ["op_Equality"] = "operator ==",
        ["op_Inequality"] = "operator !=",
    };

    private static string SimpleName(Type type) => type.Name.Split('`')[0];

    private static string TypeName(Type type)
    {
        var own = SimpleName(type) + (type.IsGenericTypeDefinition && type.Name.Contains('`')
            ? $"<{string.Join(", ", type.GetGenericArguments().Skip(type.DeclaringType?.GetGenericArguments().Length ?? 0).Select(a => a.Name))}>"
            : "");
        return type.DeclaringType is { } outer ? $"{TypeName(outer)}.{own}" : $"{type.Namespace}.{own}";
    }

    [GeneratedRegex(@"^((static|override|abstract|virtual|const|sealed|readonly|new|extern|event)\s+)+")]
    private static partial Regex Modifiers();

    [GeneratedRegex(@"this\[[^\]]*\]")]
    private static partial Regex Indexer();
}
