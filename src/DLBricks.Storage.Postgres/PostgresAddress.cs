using System.Text.RegularExpressions;
using Npgsql;

namespace DLBricks.Storage.Postgres;

/// <summary>
/// Where a PostgreSQL store is: parsed from a <c>postgresql://user[:password]@host[:port]/database[?sslmode=...]</c> URL or an
/// Npgsql connection string. A password missing from the address comes from <c>PGPASSWORD</c> or the pgpass file, as
/// Npgsql reads them. <see cref="Display"/> and <see cref="Redact"/> keep the password out of every message.
/// </summary>
public sealed partial class PostgresAddress
{
    private static readonly Dictionary<string, Action<NpgsqlConnectionStringBuilder, string>> QueryParameters =
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["sslmode"] = (b, v) => b.SslMode = Enum.Parse<SslMode>(v.Replace("-", ""), ignoreCase: true),
            ["application_name"] = (b, v) => b.ApplicationName = v,
            ["connect_timeout"] = (b, v) => b.Timeout = int.Parse(v, System.Globalization.CultureInfo.InvariantCulture),
            ["options"] = (b, v) => b.Options = v,
        };

    private readonly string? _password;

    private PostgresAddress(NpgsqlConnectionStringBuilder builder)
    {
        _password = string.IsNullOrEmpty(builder.Password) ? null : builder.Password;
        ConnectionString = builder.ConnectionString;
        Display = $"postgresql://{(string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@")}{builder.Host}" +
                  $"{(builder.Port == NpgsqlConnection.DefaultPort ? "" : ":" + builder.Port)}/{builder.Database}";
    }

    /// <summary>The Npgsql connection string (holds the password when one was given: never print it).</summary>
    public string ConnectionString { get; }

    /// <summary>The address without its password, safe to print: <c>postgresql://user@host:port/database</c>.</summary>
    public string Display { get; }

    /// <summary>True when <paramref name="text"/> looks like a PostgreSQL URL or connection string rather than a file path.</summary>
    public static bool Looks(string text)
        => text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
           || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
           || KeyValue().IsMatch(text);

    /// <summary>Parses a URL or an Npgsql connection string.</summary>
    /// <exception cref="ArgumentException">Malformed address; the message never contains the password.</exception>
    public static PostgresAddress Parse(string text)
    {
        var isUrl = text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                    || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);
        return isUrl ? FromUrl(text) : FromConnectionString(text);
    }

    /// <summary>Replaces the password, and any <c>Password=</c> pair, in <paramref name="message"/> with <c>***</c>.</summary>
    public string Redact(string message)
    {
        if (_password is not null)
        {
            message = message.Replace(_password, "***", StringComparison.Ordinal);
            var escaped = Uri.EscapeDataString(_password);
            if (escaped != _password)
                message = message.Replace(escaped, "***", StringComparison.Ordinal);
        }
        return PasswordPair().Replace(UrlPassword().Replace(message, "$1***@"), "$1***");
    }

    private static PostgresAddress FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"{Scrub(text)}: not a PostgreSQL URL (expected postgresql://user@host:port/database).");
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (!uri.IsDefaultPort && uri.Port > 0)
            builder.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
            builder.Database = database;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!QueryParameters.TryGetValue(key, out var apply))
                throw new ArgumentException($"{Scrub(text)}: unsupported URL parameter '{key}' (supported: {string.Join(", ", QueryParameters.Keys)}).");
            try
            {
                apply(builder, value);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                throw new ArgumentException($"{Scrub(text)}: bad value '{value}' for {key}.", e);
            }
        }
        return new PostgresAddress(builder);
    }

    private static PostgresAddress FromConnectionString(string text)
    {
        try
        {
            return new PostgresAddress(new NpgsqlConnectionStringBuilder(text));
        }
        catch (ArgumentException e)
        {
            // Npgsql's message names the bad keyword, never a value.
            throw new ArgumentException($"not a PostgreSQL connection string ({e.Message}).", e);
        }
    }

    /// <summary>Removes a password from a URL or connection string that could not even be parsed.</summary>
    private static string Scrub(string text) => PasswordPair().Replace(UrlPassword().Replace(text, "$1***@"), "$1***");

    [GeneratedRegex(@"^\s*[A-Za-z ]+\s*=")]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"(://[^:/@\s]*:)[^@\s]*@")]
    private static partial Regex UrlPassword();

    [GeneratedRegex(@"((?:^|;)\s*(?:Password|Pwd)\s*=)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPair();
}
