using System.Text;
using DirectoryService.Abstractions.Common;

namespace DirectoryService.Storage.Tables;

/// <summary>Escapes text into table keys: '/', '\', '#', '?', '%', '~' and control characters are not allowed (or are our separator).</summary>
public static class TableKeys
{
    public const char Separator = '~';

    public static string Escape(string value)
    {
        if (!value.Any(NeedsEscape))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static string Join(params string[] parts) => string.Join(Separator, parts.Select(Escape));

    /// <summary>What every key joined from <paramref name="parts"/> and one more part starts with.</summary>
    public static string Prefix(params string[] parts) => Join(parts) + Separator;

    /// <summary>A joined key without its last part (escaped parts never hold the separator); the key itself if it has one part.</summary>
    public static string Parent(string key)
    {
        var last = key.LastIndexOf(Separator);
        return last < 0 ? key : key[..last];
    }

    /// <summary>The text <see cref="Escape"/> made <paramref name="escaped"/> from.</summary>
    public static string Unescape(string escaped)
    {
        if (!escaped.Contains('%', StringComparison.Ordinal))
        {
            return escaped;
        }

        var builder = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '%' && i + 2 < escaped.Length && int.TryParse(escaped.AsSpan(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var code))
            {
                builder.Append((char)code);
                i += 2;
            }
            else
            {
                builder.Append(escaped[i]);
            }
        }

        return builder.ToString();
    }

    /// <summary>The least key after every key that starts with <paramref name="prefix"/>: a range's exclusive end.</summary>
    public static string After(string prefix) => string.Concat(prefix.AsSpan(0, prefix.Length - 1), ((char)(prefix[^1] + 1)).ToString());

    /// <summary>A stable 32-bit FNV-1a hash (<see cref="StateSpreads.StableHash"/>).</summary>
    public static uint StableHash(string value) => StateSpreads.StableHash(value);

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' or Separator || char.IsControl(c);
}
