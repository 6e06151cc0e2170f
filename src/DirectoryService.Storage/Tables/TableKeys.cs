using System.Text;

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

    /// <summary>A stable 32-bit FNV-1a hash: the same in every process and version, unlike string.GetHashCode.</summary>
    public static uint StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' or Separator || char.IsControl(c);
}
