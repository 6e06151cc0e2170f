namespace DirectoryService.Abstractions.Common;

/// <summary>
/// Storage did not answer within the bound (<c>Directory:Storage:OperationTimeout</c>) or could not be
/// reached. The outcome of a write it interrupted is unknown: storage may still apply it. Each door
/// answers it as "unavailable, retry later" (gRPC <c>UNAVAILABLE</c> with a retry delay, SCIM 503).
/// </summary>
[GenerateSerializer, Alias("StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>The ErrorInfo reason a door gives it.</summary>
    public const string Reason = "STORAGE_UNAVAILABLE";
}
