namespace DirectoryService.Abstractions.Rows;

/// <summary>
/// Key ranges within a set. Kinds of rows in one set are told apart by a prefix ending in ':';
/// keys under a prefix sort between the prefix and the prefix with ':' raised to ';'.
/// </summary>
public static class RowKeys
{
    /// <summary>Sorts after every key made of ids (hex digits, '-') and prefixes.</summary>
    public const string End = "~";

    public static string After(string prefix, string? cursor) => cursor is null ? prefix : prefix + cursor;

    public static string Before(string prefix) =>
        prefix.EndsWith(':') ? prefix[..^1] + ";" : throw new ArgumentException("row key prefixes end with ':'", nameof(prefix));
}
