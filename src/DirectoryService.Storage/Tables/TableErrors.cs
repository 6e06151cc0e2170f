using Azure;

namespace DirectoryService.Storage.Tables;

/// <summary>Classifies table storage failures that are answers, not faults.</summary>
public static class TableErrors
{
    public static bool IsConflict(RequestFailedException e) => e.Status == 409;

    public static bool IsNotFound(RequestFailedException e) => e.Status == 404;

    /// <summary>A conditional write lost: the row exists, is gone, or has another etag.</summary>
    public static bool IsLostRace(RequestFailedException e) => e.Status is 409 or 412 or 404;
}
