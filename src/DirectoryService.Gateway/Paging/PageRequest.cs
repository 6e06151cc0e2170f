namespace DirectoryService.Gateway.Paging;

/// <summary>A validated page request: the size and the key to continue after (from a checked page token).</summary>
public readonly record struct PageRequest(int Size, string? After);
